import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import avro from 'avsc';

/**
 * A minimal Confluent-compatible Schema Registry for tests: the five endpoints the serde uses,
 * global ids (one id per distinct schema, shared across subjects) and BACKWARD compatibility
 * (a new version must read every earlier version of its subject), answering with the
 * registry's error codes. `requests` records every call.
 */
export interface FakeRegistry {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

interface Version {
  readonly id: number;
  readonly version: number;
  readonly schema: string;
}

export async function startFakeRegistry(): Promise<FakeRegistry> {
  const ids = new Map<string, number>();
  const schemas = new Map<number, string>();
  const subjects = new Map<string, Version[]>();
  const requests: string[] = [];
  const normal = (schema: string): string => JSON.stringify(JSON.parse(schema));

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const path = decodeURI(req.url ?? '');
    requests.push(`${req.method} ${path}`);
    let m: RegExpMatchArray | null;
    if (req.method === 'GET' && (m = path.match(/^\/schemas\/ids\/(\d+)$/))) {
      const schema = schemas.get(Number(m[1]));
      if (schema === undefined) return send(res, 404, { error_code: 40403, message: 'Schema not found' });
      return send(res, 200, { schema });
    }
    m = path.match(/^\/subjects\/([^/]+)(\/versions(?:\/(\w+))?)?$/);
    if (m === null) return send(res, 404, { error_code: 404, message: 'Not found' });
    const subject = decodeURIComponent(m[1]!);
    const versions = subjects.get(subject) ?? [];
    if (req.method === 'POST' && m[2] === '/versions') {
      const schema = normal((JSON.parse(text) as { schema: string }).schema);
      const existing = versions.find((v) => v.schema === schema);
      if (existing !== undefined) return send(res, 200, { id: existing.id });
      const reader = avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
      for (const old of versions) {
        try {
          reader.createResolver(avro.Type.forSchema(JSON.parse(old.schema) as avro.Schema));
        } catch {
          return send(res, 409, {
            error_code: 409,
            message: `Schema being registered is incompatible with version ${old.version}`,
          });
        }
      }
      let id = ids.get(schema);
      if (id === undefined) {
        id = ids.size + 1;
        ids.set(schema, id);
        schemas.set(id, schema);
      }
      subjects.set(subject, [...versions, { id, version: versions.length + 1, schema }]);
      return send(res, 200, { id });
    }
    if (versions.length === 0)
      return send(res, 404, { error_code: 40401, message: `Subject '${subject}' not found.` });
    if (req.method === 'POST' && m[2] === undefined) {
      const schema = normal((JSON.parse(text) as { schema: string }).schema);
      const found = versions.find((v) => v.schema === schema);
      if (found === undefined) return send(res, 404, { error_code: 40403, message: 'Schema not found' });
      return send(res, 200, { subject, ...found });
    }
    if (req.method === 'GET' && m[2] === '/versions')
      return send(
        res,
        200,
        versions.map((v) => v.version),
      );
    if (req.method === 'GET' && m[3] !== undefined) {
      const found = m[3] === 'latest' ? versions.at(-1) : versions.find((v) => v.version === Number(m![3]));
      if (found === undefined) return send(res, 404, { error_code: 40402, message: 'Version not found.' });
      return send(res, 200, { subject, ...found });
    }
    return send(res, 405, { error_code: 405, message: 'Method not allowed' });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error_code: 500, message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
