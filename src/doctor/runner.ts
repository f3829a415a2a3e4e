// Runs checks against an environment: proves each check's needs (once per
// run), runs the check, times it, and folds everything into a DoctorReport.
// Rules waived by the policy for this target are honoured here, from the
// policy's data, so no check carries its own exceptions: a check runs with
// the rules it must verify, and is skipped (and listed) when none is left.

import { DEFAULT_KERNEL, type Rule, type Target, isKernelVersion } from '../policy/index.ts';
import { type Check, type Outcome, checkContext, rulesToVerify } from './define.ts';
import type { DoctorEnv } from './env.ts';
import { Bail } from './observe.ts';
import { NEEDS, type NeedId, type NeedProof, needClosure } from './needs.ts';
import type { BootTiming, CheckResult, DoctorReport } from './types.ts';

export interface RunOptions {
  bootTimings?: BootTiming[];
}

/** What the running kernel is, in the policy's terms (for waivers): release, version, compiler. */
function detectTarget(env: DoctorEnv): { kernelRelease: string; target: Target } {
  const read = (p: string) => {
    try {
      return env.fs.readFile(p).toString('utf8').trim();
    } catch {
      return undefined;
    }
  };
  const kernelRelease = read('/proc/sys/kernel/osrelease') ?? 'unknown';
  const version = /^(\d+\.\d+)/.exec(kernelRelease)?.[1] ?? '';
  // /proc/version names the compiler the kernel was built with.
  const toolchain = /clang version/.test(read('/proc/version') ?? '') ? 'clang' : 'gcc';
  return {
    kernelRelease,
    target: { arch: env.arch, kernel: isKernelVersion(version) ? version : DEFAULT_KERNEL, toolchain },
  };
}

export function runDoctor(env: DoctorEnv, checks: readonly Check[], options: RunOptions = {}): DoctorReport {
  const start = performance.now();
  const { kernelRelease, target } = detectTarget(env);
  const shared = new Map<string, unknown>();
  const needCtx = checkContext(env, [], shared);
  const proofs = new Map<NeedId, NeedProof>();
  const prove = (id: NeedId) => {
    let p = proofs.get(id);
    if (!p) {
      p = NEEDS[id].prove(needCtx);
      proofs.set(id, p);
    }
    return p;
  };

  function runOne(check: Check, rules: readonly Rule[]): Outcome {
    const needEvidence: string[] = [];
    for (const id of needClosure(check.needs)) {
      const proof = prove(id);
      if (!proof.ok) return { status: 'error', reason: NEEDS[id].reason, evidence: proof.evidence };
      needEvidence.push(...proof.evidence);
    }
    try {
      const out = check.run(checkContext(env, rules, shared));
      return { ...out, evidence: [...needEvidence, ...out.evidence] };
    } catch (e) {
      if (e instanceof Bail) return { ...e.outcome, evidence: [...needEvidence, ...e.outcome.evidence] };
      return { status: 'error', reason: 'crashed', evidence: [String((e as Error)?.stack ?? e)] };
    }
  }

  const results: CheckResult[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const check of checks) {
    const { verify, waived } = rulesToVerify(check.name, target);
    if (verify.length === 0) {
      skipped.push({ name: check.name, reason: waived.join('; ') || `no rule it verifies applies to ${target.arch}` });
      continue;
    }
    const t0 = performance.now();
    const out = runOne(check, verify);
    results.push({
      name: check.name,
      rules: verify.map((r) => r.id),
      status: out.status,
      evidence: out.evidence,
      ...(out.reason !== undefined ? { reason: out.reason } : {}),
      ms: round(performance.now() - t0),
    });
  }
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const summary = { passed: count('pass'), failed: count('fail'), errors: count('error') };
  return {
    schema: 'capsem-doctor/1',
    healthy: results.length > 0 && summary.passed === results.length,
    arch: env.arch,
    kernelRelease,
    checks: results,
    summary,
    ms: round(performance.now() - start),
    ...(skipped.length ? { skipped } : {}),
    ...(options.bootTimings ? { bootTimings: options.bootTimings } : {}),
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
