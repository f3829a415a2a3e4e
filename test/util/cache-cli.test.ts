// `capsem-kernel cache list|prune` on a temp cache dir (CAPSEM_CACHE_DIR; the
// real cache is never pruned by a test): what it prints, and bad input as one
// line with exit 2.

import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { captureIO } from '../helpers/io.ts';

const root = mkdtempSync(join(tmpdir(), 'capsem-cache-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Three rootfs entries and one download, entry-i last used i days ago. */
beforeEach(() => {
  rmSync(root, { recursive: true, force: true });
  const now = Date.now();
  for (const [sub, count] of [['rootfs', 3], ['guest/downloads', 1]] as const) {
    for (let i = 1; i <= count; i++) {
      const d = join(root, sub, `entry-${i}`);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'data'), Buffer.alloc(4096));
      const t = new Date(now - i * 86_400_000 + 3_600_000);
      utimesSync(d, t, t);
    }
  }
});

async function cache(...args: string[]) {
  const io = captureIO();
  io.env = { CAPSEM_CACHE_DIR: root };
  const code = await run(['cache', ...args], io);
  return { code, out: io.out, err: io.err };
}

describe('cache list', () => {
  it('a table with kind, key, size, age and last use, and a total', async () => {
    const r = await cache('list');
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^cache ${root}: 4 entries, \\d`));
    expect(lines[1]).toMatch(/^kind\s+key\s+size\s+age\s+last use$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'download entry-1', 'rootfs entry-1', 'rootfs entry-2', 'rootfs entry-3',
    ]);
    expect(lines[3]).toMatch(/rootfs\s+entry-1\s+\d.* KiB\s+\S+ \S+\s+23 h$/);
  });

  it('--json: one object with every entry', async () => {
    const r = await cache('list', '--json');
    const j = JSON.parse(r.out) as { root: string; totalBytes: number; entries: { kind: string; key: string; sizeBytes: number; lastUsedAt: string }[] };
    expect(j.root).toBe(root);
    expect(j.entries.map((e) => e.key)).toEqual(['entry-1', 'entry-1', 'entry-2', 'entry-3']);
    expect(j.totalBytes).toBe(j.entries.reduce((n, e) => n + e.sizeBytes, 0));
    expect(Date.now() - Date.parse(j.entries[3]!.lastUsedAt)).toBeGreaterThan(2 * 86_400_000);
  });
});

describe('cache prune', () => {
  it('--dry-run says what --keep 1 would remove and removes nothing', async () => {
    const r = await cache('prune', '--keep', '1', '--dry-run');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^would remove rootfs entry-2 \(.*, last used 47 h ago\)\nwould remove rootfs entry-3 .*\ncache .*: would remove 2 entries \(.*\), kept 2\n$/);
    expect(readdirSync(join(root, 'rootfs'))).toHaveLength(3);
  });

  it('--older-than 2 removes what was last used more than two days ago, of every kind', async () => {
    const r = await cache('prune', '--older-than', '2', '--json');
    const j = JSON.parse(r.out) as { removed: { key: string }[]; kept: number; freedBytes: number };
    expect(j.removed.map((e) => e.key)).toEqual(['entry-3']);
    expect(j.kept).toBe(3);
    expect(readdirSync(join(root, 'rootfs')).sort()).toEqual(['entry-1', 'entry-2']);
  });

  it.each([
    [['prune'], 'cache prune: say what to remove: --older-than DAYS and/or --keep N'],
    [['prune', '--keep', 'two'], "cache prune: --keep must be a whole number >= 0 (got 'two')"],
    [['list', '--keep', '1'], 'cache list: --older-than, --keep and --dry-run belong to prune'],
    [['tidy'], "cache: unknown action 'tidy' (list or prune)"],
    [[], 'cache: missing ACTION'],
  ])('%j: exit 2, one line', async (args, message) => {
    const r = await cache(...args);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`capsem-kernel: ${message} (see --help)\n`);
    expect(readdirSync(join(root, 'rootfs'))).toHaveLength(3);
  });
});
