import { type CacheEntry, listEntries, pruneEntries } from '../../util/cache.ts';
import { UsageError } from '../../util/errors.ts';
import { cacheRoot } from '../../util/paths.ts';
import { defineCommand } from '../command.ts';

const ACTIONS = ['list', 'prune'] as const;

function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  for (; v >= 1024 && u < units.length - 1; u++) v /= 1024;
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

function ago(date: Date, now: number): string {
  const s = Math.max(0, (now - date.getTime()) / 1000);
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86_400 * 2) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

const json = (e: CacheEntry) => ({
  kind: e.kind,
  key: e.key,
  path: e.path,
  sizeBytes: e.sizeBytes,
  createdAt: e.created.toISOString(),
  lastUsedAt: e.lastUsed.toISOString(),
});

function table(entries: readonly CacheEntry[], now: number): string {
  const rows = entries.map((e) => [e.kind, e.key, size(e.sizeBytes), ago(e.created, now), ago(e.lastUsed, now)]);
  const head = ['kind', 'key', 'size', 'age', 'last use'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [head, ...rows].map((r) => r.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/** A whole number of at least `min` from a flag, or a usage error naming it. */
function count(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`cache prune: --${flag} must be a whole number >= ${min} (got '${value}')`);
  return Number(value);
}

export default defineCommand({
  name: 'cache',
  summary: 'List the cache entries (kind, key, size, age, last use) or prune old ones',
  description: `
Every cache entry lives under $CAPSEM_CACHE_DIR (default ~/.cache/capsem-kernel):
kernel builds (150-210 MB each, with their O= tree), unpacked sources, rootfs
images, guest downloads, the doctor's probe, private apt states and Kconfig
caches. Each is named by a hash of its inputs; a reuse marks it used.

  list    every entry, newest use first within its kind (--json: one object)
  prune   remove the entries beyond the --keep N most recently used of their
          kind and/or last used more than --older-than DAYS ago; an entry a
          running process holds or reads (a build reads its source tree) is
          skipped and said. --dry-run only lists.

Deleting the cache is always safe: whatever is missing is rebuilt or fetched.`,
  args: {
    json: { type: 'boolean', description: 'Print one JSON object on stdout' },
    'older-than': { type: 'string', description: 'prune: entries last used more than DAYS days ago', valueHint: 'DAYS' },
    keep: { type: 'string', description: 'prune: keep the N most recently used entries of each kind', valueHint: 'N' },
    'dry-run': { type: 'boolean', description: 'prune: say what would be removed, remove nothing' },
  },
  positionals: [{ name: 'ACTION', description: `${ACTIONS.join(' | ')}`, required: true }],
  examples: ['capsem-kernel cache list', 'capsem-kernel cache prune --keep 2 --dry-run', 'capsem-kernel cache prune --older-than 14'],
  async run({ args, positionals, io }) {
    const action = positionals[0]!;
    if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`cache: unknown action '${action}' (${ACTIONS.join(' or ')})`);
    const root = cacheRoot(io.env);
    const now = Date.now();
    if (action === 'list') {
      if (args['older-than'] !== undefined || args.keep !== undefined || args['dry-run']) {
        throw new UsageError('cache list: --older-than, --keep and --dry-run belong to prune');
      }
      const entries = await listEntries(root);
      const total = entries.reduce((n, e) => n + e.sizeBytes, 0);
      if (args.json) io.stdout(JSON.stringify({ root, totalBytes: total, entries: entries.map(json) }, null, 2) + '\n');
      else io.stdout(`cache ${root}: ${entries.length} entries, ${size(total)}\n${entries.length ? table(entries, now) : ''}`);
      return 0;
    }
    const olderThanDays = count('older-than', args['older-than'], 0);
    const keep = count('keep', args.keep, 0);
    if (olderThanDays === undefined && keep === undefined) throw new UsageError('cache prune: say what to remove: --older-than DAYS and/or --keep N');
    const r = await pruneEntries(root, {
      ...(olderThanDays !== undefined ? { olderThanDays } : {}),
      ...(keep !== undefined ? { keep } : {}),
      dryRun: args['dry-run'],
      now: new Date(now),
    });
    if (args.json) {
      io.stdout(JSON.stringify({
        root,
        dryRun: args['dry-run'],
        freedBytes: r.freedBytes,
        kept: r.kept,
        removed: r.removed.map(json),
        inUse: r.inUse.map((u) => ({ ...json(u.entry), pid: u.pid })),
      }, null, 2) + '\n');
      return 0;
    }
    const verb = args['dry-run'] ? 'would remove' : 'removed';
    const lines = [
      ...r.removed.map((e) => `${verb} ${e.kind} ${e.key} (${size(e.sizeBytes)}, last used ${ago(e.lastUsed, now)} ago)`),
      ...r.inUse.map((u) => `skipped ${u.entry.kind} ${u.entry.key}: in use by process ${u.pid}`),
      `cache ${root}: ${verb} ${r.removed.length} entries (${size(r.freedBytes)}), kept ${r.kept}${r.inUse.length ? `, ${r.inUse.length} in use` : ''}`,
    ];
    io.stdout(lines.join('\n') + '\n');
    return 0;
  },
});
