/**
 * Cases of the fixed CI seed set (fidelity.test.ts) where Tributary still disagrees with Kafka
 * Streams, each with why. The test fails when a listed case starts agreeing (remove it) or an
 * unlisted one disagrees (fix it). The goal is an empty list; `npm run test:fidelity -- --only
 * <seeds>` prints a listed case shrunk, with its first differing record.
 */
const WINDOWED = 'windowed aggregation: not yet investigated (session merges or sliding windows)';

const cases: Record<string, readonly number[]> = {
  [WINDOWED]: [151, 159, 161, 215, 251, 269, 324, 379, 388],
};

const family: Record<string, string> = {
  [WINDOWED]: 'windowed',
};

/** Case name → why it still disagrees. */
export const KNOWN_DIVERGENCES: ReadonlyMap<string, string> = new Map(
  Object.entries(cases).flatMap(([why, seeds]) =>
    seeds.map((seed) => [`${family[why]}-${seed}`, why] as const),
  ),
);
