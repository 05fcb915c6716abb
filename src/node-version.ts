/** The oldest Node.js release Tributary supports: `require(esm)` and the stable APIs it uses. */
export const MINIMUM_NODE_VERSION = '22.12.0';

/**
 * Throws a clear error when `version` (a `process.versions.node` string) is older than
 * {@link MINIMUM_NODE_VERSION}, instead of letting an older runtime fail later on a missing API.
 *
 * @example
 * ```ts
 * assertSupportedNode(process.versions.node);
 * ```
 */
export function assertSupportedNode(version: string): void {
  const actual = version.split('.').map((part) => Number.parseInt(part, 10));
  const minimum = MINIMUM_NODE_VERSION.split('.').map(Number);
  for (let i = 0; i < minimum.length; i++) {
    const a = Number.isFinite(actual[i]) ? actual[i]! : 0;
    const m = minimum[i]!;
    if (a > m) return;
    if (a < m) {
      throw new Error(
        `Tributary needs Node.js >= ${MINIMUM_NODE_VERSION}; this process runs Node.js ${version}. ` +
          'Upgrade Node.js (for example to the current LTS).',
      );
    }
  }
}

assertSupportedNode(process.versions.node);
