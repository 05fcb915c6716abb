import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KAFKA_HOST } from './settings.js';

const run = promisify(execFile);

/** Addresses and credentials of a cluster started with `security: true`. */
export interface ClusterSecurity {
  /** `host:port` of each node's SASL_SSL listener (SCRAM-SHA-256 and SCRAM-SHA-512 over TLS). */
  saslSslBrokers: string[];
  /** `host:port` of each node's SSL listener (TLS, server-authenticated, no SASL). */
  sslBrokers: string[];
  /** The brokers' self-signed certificate, PEM: what a client passes as `ssl: { ca: [caPem] }`. */
  caPem: string;
  /** The SCRAM user created at format time (for both mechanisms). */
  username: string;
  password: string;
}

/** The per-node ports a secured node listens on, besides PLAINTEXT and CONTROLLER. */
export interface SecurePorts {
  saslSslPort: number;
  sslPort: number;
}

/**
 * Makes one self-signed key pair for every node of a cluster (the SAN is 127.0.0.1, where the
 * brokers listen), in a PKCS12 keystore under `dataDir`, and a SCRAM user with a random password.
 * `keytool` ships with the JDK the brokers already need.
 */
export async function createClusterSecurity(
  dataDir: string,
  ports: readonly SecurePorts[],
): Promise<ClusterSecurity & { keystore: string; storePassword: string }> {
  const keystore = join(dataDir, 'broker.p12');
  const certificate = join(dataDir, 'broker.pem');
  const storePassword = randomBytes(12).toString('hex');
  const keytool = (args: string[]) => run('keytool', args, { timeout: 60_000 });
  await keytool([
    '-genkeypair',
    '-alias',
    'broker',
    '-keyalg',
    'RSA',
    '-keysize',
    '2048',
    '-validity',
    '7',
    '-dname',
    'CN=localhost',
    '-ext',
    `SAN=IP:${KAFKA_HOST},DNS:localhost`,
    '-keystore',
    keystore,
    '-storetype',
    'PKCS12',
    '-storepass',
    storePassword,
    '-keypass',
    storePassword,
  ]);
  await keytool([
    '-exportcert',
    '-alias',
    'broker',
    '-rfc',
    '-keystore',
    keystore,
    '-storepass',
    storePassword,
    '-file',
    certificate,
  ]);
  return {
    keystore,
    storePassword,
    saslSslBrokers: ports.map((p) => `${KAFKA_HOST}:${p.saslSslPort}`),
    sslBrokers: ports.map((p) => `${KAFKA_HOST}:${p.sslPort}`),
    caPem: readFileSync(certificate, 'utf8'),
    username: 'tributary',
    password: randomBytes(12).toString('hex'),
  };
}

/**
 * Listener settings of a secured node. PLAINTEXT stays for the brokers' own traffic and the
 * readiness probe, so provisioning needs no credentials; clients under test use the other two.
 */
export function secureListenerSettings(
  plaintextPort: number,
  controllerPort: number,
  ports: SecurePorts,
  security: { keystore: string; storePassword: string },
): Record<string, string> {
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  const at = (port: number) => `${KAFKA_HOST}:${port}`;
  return {
    listeners: `PLAINTEXT://${at(plaintextPort)},CONTROLLER://${at(controllerPort)},SASL_SSL://${at(ports.saslSslPort)},SSL://${at(ports.sslPort)}`,
    'advertised.listeners': `PLAINTEXT://${at(plaintextPort)},SASL_SSL://${at(ports.saslSslPort)},SSL://${at(ports.sslPort)}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512',
    'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': scram,
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': scram,
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': security.keystore,
    'ssl.keystore.password': security.storePassword,
    'ssl.key.password': security.storePassword,
    'ssl.client.auth': 'none',
  };
}

/** `StorageTool format` arguments that create the SCRAM user for both mechanisms. */
export function scramFormatArgs(security: { username: string; password: string }): string[] {
  return ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((mechanism) => [
    '--add-scram',
    `${mechanism}=[name=${security.username},password=${security.password}]`,
  ]);
}
