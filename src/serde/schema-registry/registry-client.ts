import { StreamsError } from '../../errors.js';

/**
 * A Schema Registry request failed: the registry is unreachable, answered with an error, or
 * rejected a schema as incompatible. The message names the registry URL and the subject or id.
 *
 * @example
 * ```ts
 * try { await serde.prepare('orders'); } catch (e) { if (e instanceof SchemaRegistryError) console.error(e.status, e.message); }
 * ```
 */
export class SchemaRegistryError extends StreamsError {
  /** The HTTP status, or `undefined` when no answer came (unreachable, timeout). */
  readonly status: number | undefined;
  /** The registry's `error_code` (`40401` subject not found, `40403` schema not found, `409` incompatible). */
  readonly errorCode: number | undefined;

  constructor(message: string, details: { status?: number; errorCode?: number; cause?: unknown }) {
    super(message, { cause: details.cause });
    this.status = details.status;
    this.errorCode = details.errorCode;
  }
}

/** What the registry returns for one registered schema. */
export interface RegisteredSchema {
  readonly id: number;
  readonly schema: string;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** The few Confluent Schema Registry REST endpoints the Avro serde needs, over global `fetch`. */
export class RegistryClient {
  readonly #baseUrl: string;

  constructor(
    url: string,
    private readonly headers: Readonly<Record<string, string>>,
    private readonly timeoutMs: number,
  ) {
    this.#baseUrl = url.replace(/\/+$/, '');
  }

  get url(): string {
    return this.#baseUrl;
  }

  async schemaById(id: number): Promise<RegisteredSchema> {
    const body = (await this.request('GET', `/schemas/ids/${id}`, undefined, `schema id ${id}`)) as {
      schema: string;
    };
    return { id, schema: body.schema };
  }

  async register(subject: string, schema: string): Promise<number> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions`;
    const body = (await this.request('POST', path, { schema }, `subject "${subject}"`)) as { id: number };
    return body.id;
  }

  /** The id of `schema` under `subject`, failing with `40401`/`40403` when it is not registered there. */
  async lookup(subject: string, schema: string): Promise<number> {
    const path = `/subjects/${encodeURIComponent(subject)}`;
    const body = (await this.request('POST', path, { schema }, `subject "${subject}"`)) as { id: number };
    return body.id;
  }

  async version(subject: string, version: number | 'latest'): Promise<RegisteredSchema> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions/${version}`;
    const body = (await this.request('GET', path, undefined, `subject "${subject}"`)) as RegisteredSchema;
    return { id: body.id, schema: body.schema };
  }

  /** Every version number registered under `subject`; `[]` when the subject does not exist. */
  async versions(subject: string): Promise<number[]> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions`;
    try {
      return (await this.request('GET', path, undefined, `subject "${subject}"`)) as number[];
    } catch (error) {
      if (error instanceof SchemaRegistryError && error.errorCode === 40401) return [];
      throw error;
    }
  }

  private async request(method: string, path: string, body: unknown, about: string): Promise<unknown> {
    const url = this.#baseUrl + path;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { accept: CONTENT_TYPE, 'content-type': CONTENT_TYPE, ...this.headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new SchemaRegistryError(
        `Schema Registry at ${this.#baseUrl} is unreachable (${method} ${path} for ${about}): ${(error as Error).message}`,
        { cause: error },
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const answer = parsed as { error_code?: number; message?: string } | undefined;
      throw new SchemaRegistryError(
        `Schema Registry at ${this.#baseUrl} rejected ${method} ${path} for ${about}: HTTP ${response.status}` +
          (answer?.message === undefined ? '' : ` ${answer.message}`),
        { status: response.status, errorCode: answer?.error_code },
      );
    }
    return parsed;
  }
}
