import { CAPSEM_BIN_DIRS, GUEST } from '../../policy/index.ts';
import { type CheckContext, defineCheck, describeMiss, fail, octal, pass } from '../define.ts';
import { describeMount, mountOption } from '../mounts.ts';
import { DOCTOR_MANIFEST, parseManifest } from '../manifest.ts';
import { implausible, isAbsent, must, readMounts, sameFileOnLayer } from '../observe.ts';

/**
 * Where overlayfs puts a file it copied up. A copy-up keeps the lower file's
 * st_ino, st_dev, size and mode (the origin is recorded in an xattr), so stat
 * cannot tell: the file's presence in the upper directory can.
 */
const UPPER = `${GUEST.overlayLayers.rw.final}/upper`;

/** Mappings that are no file of the image: anonymous memory, memfds, SysV segments, devices. */
const NOT_A_FILE = /^(\/memfd:|\/SYSV|\/dev\/)/;

/**
 * The files the doctor itself runs from: its runtime (/proc/self/exe), its
 * bundle (argv[1]) and every file it maps (/proc/self/maps field 6).
 */
function doctorFiles(ctx: CheckContext): { paths: string[]; deleted: string[] } {
  const exe = must(ctx.readlink('/proc/self/exe'), '/proc/self/exe');
  const argv = must(ctx.text('/proc/self/cmdline'), '/proc/self/cmdline').split('\0').filter(Boolean);
  const mapped = must(ctx.text('/proc/self/maps'), '/proc/self/maps')
    .split('\n')
    // Field 6, the path, is the first '/' of a line: the five before it (addresses, perms, offset, dev, inode) have none.
    .map((l) => {
      const i = l.indexOf('/');
      return i === -1 ? '' : l.slice(i);
    })
    .filter((p) => p.startsWith('/') && !NOT_A_FILE.test(p));
  const deleted = mapped.filter((p) => p.endsWith(' (deleted)'));
  const paths = [...new Set([exe, ...(argv[1] ? [argv[1]] : []), ...mapped.filter((p) => !deleted.includes(p))])];
  return { paths, deleted };
}

// Mode 0555 alone is not enough: a file copied up into the overlay's tmpfs
// upper layer can be chmod'ed back. Each capsem binary, and each file the
// doctor runs from, must be the very file of the read-only mount of the root
// device (same inode, size and mode), with no write bit.
export default defineCheck({
  name: 'test_guest_binary_not_writable',
  needs: ['procfs'],
  reasons: {
    'binary-missing': 'a capsem binary is not installed',
    'wrong-mode': 'a capsem binary is not a regular file of mode 0555',
    'not-root-owned': 'a capsem binary is not owned by root',
    'directory-writable': 'a directory the capsem binaries are reached through is writable by others than root (a binary could be renamed away and replaced)',
    'runtime-writable': 'a file the doctor runs from (node, its bundle, a mapped library) has a write bit',
    'no-read-only-layer': `no read-only mount of ${GUEST.rootDevice} is visible to hold the binaries`,
    'not-on-read-only-layer': 'a capsem binary or a file the doctor runs from is not the file of the read-only lower layer (copied up, replaced or deleted)',
    'manifest-missing': `the lower layer has no ${DOCTOR_MANIFEST} (the sha256 of each doctor file, written when the image was built)`,
    'digest-mismatch': 'a capsem binary or a file the doctor runs from is not in the image\'s manifest, or its sha256 differs from it',
  },
  run(ctx) {
    const evidence: string[] = [];
    type Reason = 'binary-missing' | 'wrong-mode' | 'not-root-owned' | 'directory-writable' | 'runtime-writable' | 'not-on-read-only-layer';
    let reason: Reason | undefined;
    const binaries = GUEST.capsemBinaries.map((b) => `${GUEST.capsemBinDir}/${b}`);
    for (const p of binaries) {
      const st = ctx.stat(p);
      if (!st.ok && st.code !== 'ENOENT') must(st, p);
      if (!st.ok) {
        evidence.push(describeMiss(p, st.code));
        reason ??= 'binary-missing';
        continue;
      }
      const { kind, mode, uid } = st.value;
      evidence.push(`${p}: ${kind}, mode ${octal(mode)}, uid ${uid} (policy: file, 0555, uid 0)`);
      if (kind !== 'file' || mode !== 0o555) reason ??= 'wrong-mode';
      else if (uid !== 0) reason ??= 'not-root-owned';
    }
    for (const d of CAPSEM_BIN_DIRS) {
      const { mode, uid } = must(ctx.stat(d), d);
      if (mode & 0o022 || uid !== 0) {
        evidence.push(`${d}: directory of the capsem binaries, mode ${octal(mode)}, uid ${uid} (policy: no group/other write bit, uid 0)`);
        reason ??= 'directory-writable';
      }
    }
    const runtime = doctorFiles(ctx);
    const writable = runtime.paths.filter((p) => must(ctx.stat(p), p).mode & 0o222);
    evidence.push(`the doctor runs from ${runtime.paths.length} files: ${runtime.paths.join(', ')} (policy: no write bit, on the lower layer)`);
    if (writable.length) {
      evidence.push(`writable by mode: ${writable.map((p) => `${p} ${octal(must(ctx.stat(p), p).mode)}`).join(', ')}`);
      reason ??= 'runtime-writable';
    }
    if (reason) return fail(reason, evidence);

    const layer = readMounts(ctx).findLast((m) => m.source === GUEST.rootDevice && mountOption(m, 'ro') === true);
    if (!layer) return fail('no-read-only-layer', [...evidence, `/proc/mounts: no read-only mount of ${GUEST.rootDevice}`]);
    evidence.push(`lower layer: ${describeMount(layer)}`);
    let same = runtime.deleted.length === 0;
    for (const d of runtime.deleted) evidence.push(`mapped but deleted (replaced while in use): ${d}`);
    for (const p of [...binaries, ...runtime.paths]) {
      const w = sameFileOnLayer(ctx, p, layer.mountpoint);
      if (!w.same) evidence.push(w.evidence);
      const copiedUp = !isAbsent(ctx, UPPER + p);
      if (copiedUp) evidence.push(`${UPPER}${p}: present: copied up to the writable layer`);
      same &&= w.same && !copiedUp;
    }
    evidence.push(`${binaries.length + runtime.paths.length} files compared with ${layer.mountpoint} and ${UPPER}: ${same ? 'all the lower layer\'s own, none copied up' : 'some are not'}`);
    if (!same) return fail('not-on-read-only-layer', evidence);
    return compareDigests(ctx, [...new Set([...binaries, ...runtime.paths])], layer.mountpoint, evidence);
  },
});

/**
 * The same files, byte for byte, as the image's builder recorded them. The
 * manifest is read through the lower layer's own mount point: the overlay's
 * view of it could be a copy-up.
 */
function compareDigests(ctx: CheckContext, paths: readonly string[], lower: string, evidence: string[]) {
  const at = `${lower === '/' ? '' : lower}${DOCTOR_MANIFEST}`;
  const text = ctx.text(at);
  if (!text.ok && text.code === 'ENOENT') return fail('manifest-missing', [...evidence, describeMiss(at, text.code)]);
  const raw = must(text, at);
  let manifest: Map<string, string>;
  try {
    manifest = parseManifest(raw);
  } catch (e) {
    return implausible((e as Error).message);
  }
  const differ: string[] = [];
  for (const p of paths) {
    const want = manifest.get(p);
    const got = must(ctx.digest(p), p);
    if (want !== got) differ.push(`${p}: sha256 ${got.slice(0, 16)}…, manifest ${want ? `${want.slice(0, 16)}…` : 'has no entry'}`);
  }
  evidence.push(`${paths.length} files hashed against ${at} (${manifest.size} entries): ${differ.length ? `${differ.length} differ` : 'every sha256 matches'}`, ...differ);
  return differ.length ? fail('digest-mismatch', evidence) : pass(evidence);
}
