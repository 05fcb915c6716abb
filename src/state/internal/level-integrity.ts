import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StateStoreError } from '../../errors.js';

/**
 * The key under which a level store keeps its changelog offsets, beside its data and written in
 * the same atomic batch. Reserved: a store refuses a user key equal to it.
 */
export const OFFSETS_KEY_STRING = '\u0000\u0000tributary\u0000changelog-offsets\u0000';
export const OFFSETS_KEY = Buffer.from(OFFSETS_KEY_STRING, 'latin1');

/** Changelog offsets per `topic:partition`: the next changelog offset the store's data does not hold. */
export type ChangelogOffsets = Readonly<Record<string, string>>;

/** Decodes the offsets record; anything but `{ "<topic>:<partition>": "<digits>" }` is corruption. */
export function decodeOffsets(storeName: string, bytes: Buffer | undefined): ChangelogOffsets {
  if (bytes === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    Object.values(parsed).every((v) => typeof v === 'string' && /^\d+$/.test(v));
  if (!valid)
    throw new StateStoreError(
      `State store '${storeName}' holds unreadable changelog offsets: its data cannot be trusted.`,
      {
        node: storeName,
      },
    );
  return parsed as ChangelogOffsets;
}

export function encodeOffsets(offsets: ChangelogOffsets): Buffer {
  return Buffer.from(JSON.stringify(offsets), 'utf8');
}

/**
 * Throws when LevelDB, opening `location`, dropped corrupt records of its write-ahead log. It does
 * so silently (it only writes "dropping N bytes" to its info log, `LOG`) and then replays the
 * records after the damage, so the store would open with a hole in its data while its offsets
 * record claims everything: such a store must be restored instead.
 */
export async function assertNoDroppedRecords(storeName: string, location: string): Promise<void> {
  const info = await readFile(join(location, 'LOG'), 'latin1').catch(() => '');
  const dropped = /dropping \d+ bytes; [^\n]*/.exec(info);
  if (dropped !== null)
    throw new StateStoreError(
      `State store '${storeName}' lost data: LevelDB skipped damaged records while opening ${location} (${dropped[0]}).`,
      { node: storeName },
    );
}
