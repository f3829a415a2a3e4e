// Runs checks against an environment: proves each check's needs (once per
// run), runs the check, times it, and folds everything into a DoctorReport.
// Rules waived by the policy for this target are honoured here, from the
// policy's data, so no check carries its own exceptions.

import { DEFAULT_KERNEL, type Target, isKernelVersion, resolveRule } from '../policy/index.ts';
import { type Check, type Outcome, checkContext, rulesFor } from './define.ts';
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

/** Why a check does not run on this target, or undefined when it does. */
function skipReason(check: Check, target: Target): string | undefined {
  const rules = rulesFor(check.name, target.arch);
  if (rules.length === 0) return `no rule it verifies applies to ${target.arch}`;
  const waived = rules.map((r) => ({ r, res: resolveRule(r, target) }));
  if (waived.every(({ res }) => res.status === 'waived')) {
    return waived.map(({ r, res }) => `${r.id} waived: ${res.status === 'waived' ? res.reason : ''}`).join('; ');
  }
  return undefined;
}

export function runDoctor(env: DoctorEnv, checks: readonly Check[], options: RunOptions = {}): DoctorReport {
  const start = performance.now();
  const { kernelRelease, target } = detectTarget(env);
  const ctx = checkContext(env);
  const proofs = new Map<NeedId, NeedProof>();
  const prove = (id: NeedId) => {
    let p = proofs.get(id);
    if (!p) {
      p = NEEDS[id].prove(ctx);
      proofs.set(id, p);
    }
    return p;
  };

  function runOne(check: Check): Outcome {
    const needEvidence: string[] = [];
    for (const id of needClosure(check.needs)) {
      const proof = prove(id);
      if (!proof.ok) return { status: 'error', reason: NEEDS[id].reason, evidence: proof.evidence };
      needEvidence.push(...proof.evidence);
    }
    try {
      const out = check.run(ctx);
      return { ...out, evidence: [...needEvidence, ...out.evidence] };
    } catch (e) {
      if (e instanceof Bail) return { ...e.outcome, evidence: [...needEvidence, ...e.outcome.evidence] };
      return { status: 'error', reason: 'crashed', evidence: [String((e as Error)?.stack ?? e)] };
    }
  }

  const results: CheckResult[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const check of checks) {
    const why = skipReason(check, target);
    if (why) {
      skipped.push({ name: check.name, reason: why });
      continue;
    }
    const t0 = performance.now();
    const out = runOne(check);
    results.push({
      name: check.name,
      rules: rulesFor(check.name, target.arch).map((r) => r.id),
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
