import { defineCheck, describeMiss, fail, pass, quote } from '../define.ts';
import { must } from '../observe.ts';

const PREFIX = 'sysctl.';

/** fs/proc/proc_sysctl.c: "sysctl.kernel.yama.ptrace_scope" names /proc/sys/kernel/yama/ptrace_scope. */
function sysctlPath(param: string): string {
  return '/proc/sys/' + param.slice(PREFIX.length).replace(/\./g, '/');
}

// The command line asking for a sysctl proves nothing if the kernel ignored
// it (an unknown sysctl, or a subsystem such as Yama not built in): read it back.
export default defineCheck({
  name: 'test_sysctl_hardening',
  needs: ['procfs'],
  reasons: {
    'sysctl-absent': 'a sysctl the policy sets on the command line does not exist (the subsystem is not built in)',
    'sysctl-wrong-value': 'a sysctl does not hold the value the policy sets on the command line',
  },
  run(ctx) {
    const evidence: string[] = [];
    let reason: 'sysctl-absent' | 'sysctl-wrong-value' | undefined;
    for (const rule of ctx.rules) {
      if (rule.kind !== 'cmdline' || !rule.param.startsWith(PREFIX) || typeof rule.value !== 'string') continue;
      const path = sysctlPath(rule.param);
      const got = ctx.text(path);
      if (!got.ok && got.code === 'ENOENT') {
        evidence.push(`${describeMiss(path, got.code)} (policy ${rule.id}: ${JSON.stringify(rule.value)})`);
        reason ??= 'sysctl-absent';
        continue;
      }
      // Multi-field sysctls print tab-separated; compare fields, not whitespace.
      const value = must(got, path).trim().split(/\s+/).join(' ');
      evidence.push(`${path}: ${quote(value)} (policy ${rule.id}: ${JSON.stringify(rule.value)})`);
      if (value !== rule.value) reason ??= 'sysctl-wrong-value';
    }
    return reason ? fail(reason, evidence) : pass(evidence);
  },
});
