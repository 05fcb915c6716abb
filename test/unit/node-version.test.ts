import { describe, expect, it } from 'vitest';
import { assertSupportedNode, MINIMUM_NODE_VERSION } from '../../src/node-version.js';

describe('assertSupportedNode', () => {
  it('accepts the minimum and anything newer', () => {
    for (const v of [MINIMUM_NODE_VERSION, '22.12.1', '22.13.0', '23.0.0', '24.21.0', '30.1.2']) {
      expect(() => assertSupportedNode(v)).not.toThrow();
    }
  });

  it('rejects older releases with a message naming both versions', () => {
    for (const v of ['22.11.9', '22.0.0', '20.20.2', '18.19.0']) {
      expect(() => assertSupportedNode(v)).toThrow(
        new RegExp(
          `needs Node\\.js >= ${MINIMUM_NODE_VERSION.replace(/\./g, '\\.')}; this process runs Node\\.js ${v.replace(/\./g, '\\.')}`,
        ),
      );
    }
  });
});
