import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCheckpoint, writeCheckpoint } from '../../../src/runtime/checkpoint.js';

describe('checkpoint files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tributary-checkpoint-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replaces the old checkpoint whole and leaves no temp file behind', async () => {
    await writeCheckpoint(dir, { 'a-changelog:0': '5' });
    await writeCheckpoint(dir, { 'a-changelog:0': '9', 'b-changelog:0': '1' });
    expect(await readCheckpoint(dir)).toEqual({ 'a-changelog:0': '9', 'b-changelog:0': '1' });
    expect(await readdir(dir)).toEqual(['.checkpoint']);
  });

  it('reports a half-written checkpoint as corrupt, and a missing one as absent', async () => {
    expect(await readCheckpoint(dir)).toBeUndefined();
    await writeFile(join(dir, '.checkpoint'), '{"version":1,"offs');
    expect(await readCheckpoint(dir)).toBe('corrupt');
  });
});
