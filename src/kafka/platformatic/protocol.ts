import { kGetApi } from '@platformatic/kafka';
import type { API, Base, Connection } from '@platformatic/kafka';

/**
 * Calls one Kafka API on `connection` at the highest version both the client and the broker
 * support: how the adapter sends the group and transaction requests @platformatic/kafka does not
 * expose with the options the port needs (raw assignments with userData, JoinGroup/SyncGroup with
 * the runtime's own assignor).
 */
export async function callApi<Args extends unknown[], Response>(
  client: Base,
  name: string,
  connection: Connection,
  ...args: Args
): Promise<Response> {
  const api = await new Promise<API<Args, Response>>((resolve, reject) => {
    client[kGetApi]<Args, Response>(name, (error, found) => (error ? reject(error) : resolve(found!)));
  });
  return api.async(connection, ...args);
}

/** Where the coordinator of a group (key type 0) or of a transactional id (1) listens. */
export interface CoordinatorAddress {
  host: string;
  port: number;
  nodeId: number;
}

/**
 * A connection to the coordinator of `groupId` (key type 0) or of a transactional id (1). Keep the
 * `address`, not the connection: the client's pool reconnects a lost connection on `get`.
 */
export async function coordinatorConnection(
  client: Base,
  key: string,
  keyType: 0 | 1 = 0,
): Promise<{ connection: Connection; address: CoordinatorAddress }> {
  const metadata = await client.metadata({ topics: [] });
  const bootstrap = await client.connections.getFirstAvailable([...metadata.brokers.values()]);
  const response = await callApi<unknown[], FindCoordinatorResponse>(
    client,
    'FindCoordinator',
    bootstrap,
    keyType,
    [key],
  );
  const found = response.coordinators[0];
  if (!found || found.errorCode !== 0) {
    throw Object.assign(new Error(`no coordinator for ${key}`), {
      apiId: 'COORDINATOR_NOT_AVAILABLE',
      apiCode: 15,
      canRetry: true,
    });
  }
  const address = { host: found.host, port: found.port, nodeId: found.nodeId };
  return { connection: await client.connections.get(address), address };
}

interface FindCoordinatorResponse {
  coordinators: { key: string; nodeId: number; host: string; port: number; errorCode: number }[];
}
