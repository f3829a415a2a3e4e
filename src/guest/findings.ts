import type { Stats } from 'node:fs';
import { chmod, chown, lstat, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CAPSEM_BIN_DIRS, type CheckName, forbiddenFile } from '../policy/index.ts';
import { runTool } from './exec.ts';
import { CAPSEM_BINARY_PATHS, walk } from './layout.ts';
import type { ListedEntry } from './squashfs.ts';

// What in a root filesystem breaks the guest rules, each finding named by the
// doctor check that fails on it in the booted guest; and the fixes that
// `--enforce` makes. The rules are the policy's (src/policy/guest-files.ts,
// GUEST): the doctor reads the same ones.

export type FindingKind = 'setuid' | 'setgid' | 'file-capability' | 'forbidden-file' | 'writable-capsem-path';

export interface Finding {
  path: string;
  kind: FindingKind;
  what: string;
  /** The doctor check that fails on it. */
  check: CheckName;
}

export const describeFinding = (f: Finding) => `${f.path}: ${f.what} (${f.check})`;

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/** `getcap -r` on the tree: every file with a security.capability xattr. */
async function fileCaps(staging: string, signal?: AbortSignal): Promise<{ path: string; caps: string }[]> {
  const out = await runTool('getcap', ['-r', staging], { signal });
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const at = line.lastIndexOf(' ');
      return { path: line.slice(staging.length, at), caps: line.slice(at + 1) };
    })
    .filter((c) => c.path.startsWith('/'));
}

/** A tree entry as lstat sees it, in the listing's shape ('-' file, 'd' directory, 'l' link). */
const entryOf = (path: string, st: Stats): ListedEntry => ({
  path, type: st.isFile() ? '-' : st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : '?', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid,
});

/** A capsem binary as the guest wants it: a file, 0555, root's. */
const binaryOk = (e: ListedEntry) => e.type === '-' && e.mode === 0o555 && e.uid === 0 && e.gid === 0;

/**
 * The guest rules over a tree's entries, by lstat (scanTree) or the built image's listing (verifyListing). Forbidden
 * are files only, as the doctor sees them (a directory or a link of a daemon's name does nothing by itself).
 */
function ruleFindings(entries: readonly ListedEntry[]): (Finding & { entry: ListedEntry })[] {
  const out: ReturnType<typeof ruleFindings> = [];
  const add = (entry: ListedEntry, kind: FindingKind, what: string, check: CheckName) => out.push({ path: entry.path, kind, what, check, entry });
  for (const e of entries) {
    const hit = e.type === '-' ? forbiddenFile(e.path) : undefined;
    if (hit) add(e, 'forbidden-file', hit.what, `test_no_${hit.daemon}`);
    if (e.type === 'l') continue;
    if (e.mode & 0o4000) add(e, 'setuid', `setuid (mode ${octal(e.mode)})`, 'test_no_setuid_binaries');
    if (e.mode & 0o2000) add(e, 'setgid', `setgid (mode ${octal(e.mode)})`, 'test_no_setgid_binaries');
    if (e.type === 'd' && CAPSEM_BIN_DIRS.includes(e.path) && (e.mode & 0o022 || e.uid !== 0)) {
      add(e, 'writable-capsem-path', `directory of the capsem binaries writable by others (mode ${octal(e.mode)}, owner ${e.uid}:${e.gid})`, 'test_guest_binary_not_writable');
    }
  }
  return out;
}

/** Every finding in the tree at `staging`, sorted by path: all at once, before anything is changed. */
export async function scanTree(staging: string, signal?: AbortSignal): Promise<Finding[]> {
  const entries = await Promise.all(['/', ...(await walk(staging))].map(async (p) => entryOf(p, await lstat(join(staging, p)))));
  const findings: Finding[] = ruleFindings(entries).map(({ entry: _, ...f }) => f);
  for (const c of await fileCaps(staging, signal)) {
    // Inert on the policy kernel (SQUASHFS_XATTR is off: squashfs xattrs are not read), so its doctor cannot see it;
    // reported all the same: the image is wrong for any kernel that reads them.
    findings.push({ path: c.path, kind: 'file-capability', what: `file capability ${c.caps} (inert on the policy kernel, which reads no squashfs xattrs)`, check: 'test_no_file_capabilities' });
  }
  return findings.sort((a, b) => a.path.localeCompare(b.path) || a.kind.localeCompare(b.kind));
}

/** Fixes every finding (`--enforce`), one line per change: bits stripped, capabilities removed, forbidden files deleted. */
export async function fixFindings(staging: string, findings: readonly Finding[], signal?: AbortSignal): Promise<string[]> {
  const changes: string[] = [];
  const removed: string[] = [];
  const gone = (p: string) => removed.some((r) => p === r || p.startsWith(`${r}/`));
  for (const f of findings.filter((x) => x.kind === 'forbidden-file')) {
    if (gone(f.path)) continue;
    await rm(join(staging, f.path), { recursive: true, force: true });
    removed.push(f.path);
    changes.push(`${f.path}: removed (${f.what})`);
  }
  const bitsDone = new Set<string>();
  for (const f of findings) {
    if (f.kind === 'forbidden-file' || gone(f.path)) continue;
    const full = join(staging, f.path);
    if (f.kind === 'setuid' || f.kind === 'setgid') {
      if (bitsDone.has(f.path)) continue;
      bitsDone.add(f.path);
      const { mode } = await lstat(full);
      await chmod(full, mode & 0o1777);
      changes.push(`${f.path}: setuid/setgid bits stripped (mode ${octal(mode)} -> ${octal(mode & 0o1777)})`);
    } else if (f.kind === 'file-capability') {
      await runTool('setcap', ['-r', full], { signal });
      changes.push(`${f.path}: file capability removed`);
    } else {
      const st = await lstat(full);
      await chown(full, 0, 0);
      await chmod(full, st.mode & 0o7755);
      changes.push(`${f.path}: mode ${octal(st.mode)} ${st.uid}:${st.gid} set to ${octal(st.mode & 0o7755)} 0:0`);
    }
  }
  return changes;
}

/**
 * Our own tree's enforcement pass: strip setuid/setgid, make capsem binaries
 * 0555 root; a forbidden file is a bug in our layout, refused.
 */
export async function enforceTree(staging: string, signal?: AbortSignal): Promise<string[]> {
  const findings = await scanTree(staging, signal);
  const forbidden = findings.filter((f) => f.kind === 'forbidden-file');
  if (forbidden.length) throw new Error(`the guest tree holds forbidden files:\n  ${forbidden.map((f) => `${f.path}: ${f.what}`).join('\n  ')}`);
  const changed = (await fixFindings(staging, findings, signal)).map((c) => c.replace(/ \(mode .*\)$/, ''));
  for (const p of CAPSEM_BINARY_PATHS) {
    const st = await stat(join(staging, p));
    if (!binaryOk(entryOf(p, st))) {
      await chmod(join(staging, p), 0o555);
      await chown(join(staging, p), 0, 0);
      changed.push(`${p}: mode ${octal(st.mode)} ${st.uid}:${st.gid} set to 0555 0:0`);
    }
  }
  return changed;
}

/** The guest rules checked on a listing of the built image: one finding per problem, all at once. */
export function verifyListing(entries: readonly ListedEntry[]): string[] {
  const findings = new Set<string>();
  for (const { path, kind, what, entry: e } of ruleFindings(entries)) {
    if (kind === 'writable-capsem-path') findings.add(`${path}: directory of the capsem binaries mode ${octal(e.mode)} owner ${e.uid}:${e.gid}`);
    else findings.add(`${path}: ${kind === 'forbidden-file' ? what : kind}`);
  }
  const byPath = new Map(entries.map((e) => [e.path, e]));
  for (const p of CAPSEM_BINARY_PATHS) {
    const e = byPath.get(p);
    if (!e) findings.add(`${p}: missing`);
    else if (!binaryOk(e)) findings.add(`${p}: ${e.type} mode ${octal(e.mode)} owner ${e.uid}:${e.gid} (want a file, 0555, 0:0)`);
  }
  return [...findings].sort();
}
