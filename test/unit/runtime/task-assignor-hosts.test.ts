import { describe, expect, it } from 'vitest';
import { decodeAssignmentInfo, TaskAssignor, type MemberInfo } from '../../../src/runtime/task-assignor.js';

const member = (memberId: string, info: Partial<MemberInfo>) => ({
  memberId,
  userData: Buffer.from(JSON.stringify({ processId: memberId, previousActive: [], stateTasks: [], ...info })),
});

describe('the assignment tells every member which host runs which tasks', () => {
  it('merges members behind one applicationServer and leaves out members without one', async () => {
    const assignor = new TaskAssignor(
      () => ({ processId: 'x', previousActive: [], stateTasks: [] }),
      new Map([[0, ['t']]]),
      1,
    );
    const result = await assignor.assign({
      members: [
        member('a1', { endpoint: 'a:1' }),
        member('a2', { endpoint: 'a:1' }),
        member('b', { endpoint: 'b:2' }),
        member('c', {}),
      ],
      topicPartitions: { t: 8 },
    });
    const infos = Object.values(result).map((r) => decodeAssignmentInfo(r.userData)!);
    const hosts = infos[0]!.hosts!;
    for (const info of infos) expect(info.hosts).toEqual(hosts);
    expect(Object.keys(hosts).sort()).toEqual(['a:1', 'b:2']);
    const activeOf = (id: string) => decodeAssignmentInfo(result[id]!.userData)!.active;
    const standbyOf = (id: string) => decodeAssignmentInfo(result[id]!.userData)!.standby;
    expect(hosts['a:1']!.active.sort()).toEqual([...activeOf('a1'), ...activeOf('a2')].sort());
    expect(hosts['b:2']!.active.sort()).toEqual(activeOf('b').sort());
    expect(hosts['b:2']!.standby.sort()).toEqual(standbyOf('b').sort());
    // c's tasks are nobody's in the map: it has no endpoint.
    const listed = new Set(Object.values(hosts).flatMap((h) => h.active));
    for (const task of activeOf('c')) expect(listed.has(task)).toBe(false);
    expect(listed.size + activeOf('c').length).toBe(8);
  });

  it('has no hosts map when no member has an applicationServer', async () => {
    const assignor = new TaskAssignor(
      () => ({ processId: 'x', previousActive: [], stateTasks: [] }),
      new Map([[0, ['t']]]),
      0,
    );
    const result = await assignor.assign({ members: [member('a', {})], topicPartitions: { t: 2 } });
    expect(decodeAssignmentInfo(result.a!.userData)!.hosts).toBeUndefined();
  });
});
