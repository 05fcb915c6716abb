/**
 * Cases of the fixed CI seed set (fidelity.test.ts) where Tributary still disagrees with Kafka
 * Streams, each with why. The test fails when a listed case starts agreeing (remove it) or an
 * unlisted one disagrees (fix it). The goal is an empty list; `npm run test:fidelity -- --only
 * <seeds>` prints a listed case shrunk, with its first differing record.
 */
const FOREIGN_KEY =
  'foreign-key join: result values and record count differ from Kafka Streams (not yet fixed)';
const WINDOWED = 'windowed aggregation: not yet investigated (session merges or sliding windows)';

const cases: Record<string, readonly number[]> = {
  [FOREIGN_KEY]: [
    67, 89, 107, 109, 111, 120, 160, 170, 178, 180, 182, 198, 199, 232, 254, 268, 303, 315, 371, 373, 382,
  ],
  [WINDOWED]: [151, 159, 161, 215, 251, 269, 324, 379, 388],
};

const family: Record<string, string> = {
  [FOREIGN_KEY]: 'foreignKeyJoin',
  [WINDOWED]: 'windowed',
};

/** Case name → why it still disagrees. */
export const KNOWN_DIVERGENCES: ReadonlyMap<string, string> = new Map(
  Object.entries(cases).flatMap(([why, seeds]) =>
    seeds.map((seed) => [`${family[why]}-${seed}`, why] as const),
  ),
);
