import type { SASLOptions as PlatformaticSasl } from '@platformatic/kafka';
import type { SASLOptions } from 'kafkajs';
import { ConfigError } from '../../errors.js';

/** Connection settings of a real cluster for the @platformatic/kafka adapter. */
export interface PlatformaticConnection {
  brokers: string[];
  clientId: string;
  /** `true` or Node TLS options. */
  ssl?: boolean | Record<string, unknown>;
  sasl?: SASLOptions;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** The oldest Node.js @platformatic/kafka 2.x supports (its `engines`). */
export const PLATFORMATIC_MINIMUM_NODE = '22.22.0';

/**
 * Throws a `ConfigError` when `version` (a `process.versions.node` string) is older than
 * {@link PLATFORMATIC_MINIMUM_NODE}: choosing this client on an older Node fails at once, with the
 * way out, instead of somewhere inside the client later.
 *
 * @example
 * ```ts
 * assertPlatformaticNode(process.versions.node);
 * ```
 */
export function assertPlatformaticNode(version: string): void {
  const actual = version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const minimum = PLATFORMATIC_MINIMUM_NODE.split('.').map(Number);
  for (let i = 0; i < minimum.length; i++) {
    if (actual[i]! > minimum[i]!) return;
    if (actual[i]! < minimum[i]!) {
      throw new ConfigError(
        `the 'platformatic' Kafka client (@platformatic/kafka) needs Node.js >= ${PLATFORMATIC_MINIMUM_NODE}; this process runs Node.js ${version}. Upgrade Node.js or use the default 'kafkajs' client.`,
      );
    }
  }
}

/** Checks a SASL config for the platformatic client (a `ConfigError` names an unsupported mechanism). */
export function saslOptions(sasl: SASLOptions): PlatformaticSasl {
  const mechanism = sasl.mechanism.toUpperCase();
  if (mechanism !== 'PLAIN' && mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-512') {
    throw new ConfigError(
      `sasl.mechanism ${JSON.stringify(sasl.mechanism)} is not supported by the platformatic client (plain, scram-sha-256, scram-sha-512)`,
    );
  }
  const { username, password } = sasl as { username: string; password: string };
  return { mechanism, username, password };
}
