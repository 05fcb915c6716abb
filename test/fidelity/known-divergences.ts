/**
 * Cases of the fixed CI seed set (fidelity.test.ts) where Tributary still disagrees with Kafka
 * Streams, each with why. The test fails when a listed case starts agreeing (remove it) or an
 * unlisted one disagrees (fix it). The goal is an empty list; `npm run test:fidelity -- --only
 * <seeds>` prints a listed case shrunk, with its first differing record.
 */
const cases: Record<string, readonly number[]> = {};

/** The family (case-name prefix) of each reason's seeds. */
const family: Record<string, string> = {};

/** Case name → why it still disagrees. */
export const KNOWN_DIVERGENCES: ReadonlyMap<string, string> = new Map(
  Object.entries(cases).flatMap(([why, seeds]) =>
    seeds.map((seed) => [`${family[why]}-${seed}`, why] as const),
  ),
);
