import { GUEST } from '../../policy/index.ts';
import { defineCheck, fail, pass } from '../define.ts';
import { type Mount, describeMount, mountOption } from '../mounts.ts';
import { readMounts } from '../observe.ts';

type Expected = (typeof GUEST.mounts)[number];

/** Why `m` is not the contract's mount, or undefined when it is. */
function mismatch(m: Mount, want: Expected): string | undefined {
  if (m.fstype !== want.fstype || m.source !== want.source) return `is ${m.source} type ${m.fstype}, policy: ${want.source} type ${want.fstype}`;
  const lacking = want.flags.filter((f) => mountOption(m, f) !== true);
  return lacking.length ? `lacks ${lacking.join(',')}` : undefined;
}

// /proc/mounts against what capsem-init mounts (GUEST.mounts, the table init
// itself is generated from): every mount there with its type, source and
// flags, one mount per mount point, and nothing else.
export default defineCheck({
  name: 'test_mount_table',
  needs: ['procfs'],
  reasons: {
    'mount-missing': 'a mount capsem-init makes is not in /proc/mounts',
    'mount-differs': 'a mount has another type or source than capsem-init\'s, or lacks a flag init sets (ro, nosuid, nodev, noexec)',
    'extra-mount': 'a mount capsem-init does not make (or a second one stacked on a mount point)',
  },
  run(ctx) {
    const mounts = readMounts(ctx);
    const evidence = [`/proc/mounts: ${mounts.length} mounts (policy: exactly ${GUEST.mounts.map((m) => `${m.mountpoint} ${m.fstype}`).join(', ')})`];
    let reason: 'mount-missing' | 'mount-differs' | 'extra-mount' | undefined;
    for (const want of GUEST.mounts) {
      const at = mounts.filter((m) => m.mountpoint === want.mountpoint);
      if (at.length === 0) {
        evidence.push(`missing: ${want.source} on ${want.mountpoint} type ${want.fstype}`);
        reason ??= 'mount-missing';
        continue;
      }
      const why = mismatch(at[0]!, want);
      if (why) {
        evidence.push(`differs: ${describeMount(at[0]!)} ${why}`);
        reason ??= 'mount-differs';
      }
      for (const stacked of at.slice(1)) {
        evidence.push(`not allowed (stacked): ${describeMount(stacked)}`);
        reason ??= 'extra-mount';
      }
    }
    const known = new Set<string>(GUEST.mounts.map((m) => m.mountpoint));
    for (const m of mounts.filter((x) => !known.has(x.mountpoint))) {
      evidence.push(`not allowed: ${describeMount(m)}`);
      reason ??= 'extra-mount';
    }
    return reason ? fail(reason, evidence) : pass(evidence);
  },
});
