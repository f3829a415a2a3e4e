import { GUEST } from '../../policy/index.ts';
import { defineCheck, describeMiss, fail, octal, pass } from '../define.ts';
import { describeMount, mountOption } from '../mounts.ts';
import { must, readMounts, sameFileOnLayer } from '../observe.ts';

// Mode 0555 alone is not enough: a file copied up into the overlay's tmpfs
// upper layer can be chmod'ed back. Each binary must be the very file of the
// read-only mount of the root device (same inode, size and mode).
export default defineCheck({
  name: 'test_guest_binary_not_writable',
  needs: ['procfs'],
  reasons: {
    'binary-missing': 'a capsem binary is not installed',
    'wrong-mode': 'a capsem binary is not a regular file of mode 0555',
    'not-root-owned': 'a capsem binary is not owned by root',
    'no-read-only-layer': `no read-only mount of ${GUEST.rootDevice} is visible to hold the binaries`,
    'not-on-read-only-layer': 'a capsem binary is not the file of the read-only lower layer (copied up or replaced)',
  },
  run(ctx) {
    const evidence: string[] = [];
    type Reason = 'binary-missing' | 'wrong-mode' | 'not-root-owned' | 'not-on-read-only-layer';
    let reason: Reason | undefined;
    const paths = GUEST.capsemBinaries.map((b) => `${GUEST.capsemBinDir}/${b}`);
    for (const p of paths) {
      const st = ctx.stat(p);
      if (!st.ok && st.code !== 'ENOENT') must(st, p);
      if (!st.ok) {
        evidence.push(describeMiss(p, st.code));
        reason ??= 'binary-missing';
        continue;
      }
      const { kind, mode, uid } = st.value;
      evidence.push(`${p}: ${kind}, mode ${octal(mode)}, uid ${uid}`);
      if (kind !== 'file' || mode !== 0o555) reason ??= 'wrong-mode';
      else if (uid !== 0) reason ??= 'not-root-owned';
    }
    if (reason) return fail(reason, evidence);

    const layer = readMounts(ctx).findLast((m) => m.source === GUEST.rootDevice && mountOption(m, 'ro') === true);
    if (!layer) return fail('no-read-only-layer', [...evidence, `/proc/mounts: no read-only mount of ${GUEST.rootDevice}`]);
    evidence.push(`lower layer: ${describeMount(layer)}`);
    let same = true;
    for (const p of paths) {
      const w = sameFileOnLayer(ctx, p, layer.mountpoint);
      evidence.push(w.evidence);
      same &&= w.same;
    }
    return same ? pass(evidence) : fail('not-on-read-only-layer', evidence);
  },
});
