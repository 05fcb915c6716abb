import kafkajs from 'kafkajs';
import type { PartitionAssigner } from 'kafkajs';
import type { MemberAssignment, PartitionAssignor } from '../port.js';

const { AssignerProtocol } = kafkajs;
const NO_BYTES = Buffer.alloc(0);

/** Decodes a member's raw assignment bytes (as `describeGroups` returns them). */
export function decodeMemberAssignment(bytes: Buffer | undefined): MemberAssignment {
  const decoded = bytes && bytes.length > 0 ? AssignerProtocol.MemberAssignment.decode(bytes) : null;
  return { assignment: decoded?.assignment ?? {}, userData: decoded?.userData ?? NO_BYTES };
}

/**
 * Wraps a port assignor as a kafkajs partition assigner. `onAssigned` receives the leader's
 * result, because kafkajs hands only the partition map (not the userData) back to the leader.
 */
export function toKafkajsAssigner(
  assignor: PartitionAssignor,
  onAssigned: (assignments: Record<string, MemberAssignment>) => void,
): PartitionAssigner {
  return ({ cluster }) => ({
    name: assignor.name,
    version: assignor.version,
    protocol: ({ topics }) => ({
      name: assignor.name,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: assignor.version,
        topics,
        userData: assignor.userData(),
      }),
    }),
    async assign({ members, topics }) {
      const topicPartitions: Record<string, number> = {};
      for (const topic of topics) {
        const partitions = cluster.findTopicPartitionMetadata(topic).length;
        if (partitions > 0) topicPartitions[topic] = partitions;
      }
      const input = members.map(({ memberId, memberMetadata }) => ({
        memberId,
        userData: AssignerProtocol.MemberMetadata.decode(memberMetadata)?.userData ?? NO_BYTES,
      }));
      const result = await assignor.assign({ members: input, topicPartitions });
      onAssigned(result);
      return members.map(({ memberId }) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: assignor.version,
          assignment: result[memberId]?.assignment ?? {},
          userData: result[memberId]?.userData ?? NO_BYTES,
        }),
      }));
    },
  });
}
