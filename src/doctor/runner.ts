// Runs checks against an environment: proves each check's needs (once per
// run), runs the check, times it, and folds everything into a DoctorReport.
// Rules waived by the policy for this target are honoured here, from the
// policy's data, so no check carries its own exceptions: a check runs with
// the rules it must verify, and is skipped (and listed) when none is left.

import { DEFAULT_KERNEL, NONCE_PARAM, type Rule, type Target, parseKernelSeries } from '../policy/index.ts';
import { type Check, type Outcome, checkContext, rulesToVerify } from './define.ts';
import type { DoctorEnv } from './env.ts';
import { Bail, readCmdline } from './observe.ts';
import { NEEDS, type NeedId, type NeedProof, needClosure } from './needs.ts';
import { type BootFacts, type BootTiming, type CheckResult, type DoctorReport, REPORT_SCHEMA } from './types.ts';

export interface RunOptions {
  bootTimings?: BootTiming[];
}

/** What the running kernel is, in the policy's terms (for waivers), and the facts that bind the verdict to its boot. */
function observeBoot(env: DoctorEnv, shared: Map<string, unknown>): { kernelRelease: string; target: Target; boot: BootFacts } {
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
  const target: Target = { arch: env.arch, kernel: parseKernelSeries(version) ?? DEFAULT_KERNEL, toolchain };
  // Read and parsed once for the run: the command line checks take it from the same memo.
  let cmdline: ReturnType<typeof readCmdline> | undefined;
  try {
    cmdline = readCmdline(checkContext(env, [], shared));
  } catch (e) {
    if (!(e instanceof Bail)) throw e;
  }
  const nonce = cmdline?.parsed.get(NONCE_PARAM);
  return {
    kernelRelease,
    target,
    boot: {
      nonce: typeof nonce === 'string' ? nonce : null,
      cmdline: cmdline?.raw.trim() ?? '',
      kernelVersion: read('/proc/sys/kernel/version') ?? 'unknown',
      bootId: read('/proc/sys/kernel/random/boot_id') ?? 'unknown',
      target,
    },
  };
}

/**
 * The checks the policy runs on `target`, each with the rules it verifies there, and
 * those it skips (every rule waived or not for this arch). The host holds a verdict to this.
 */
export function plannedChecks(
  checks: readonly Check[],
  target: Target,
): { run: { check: Check; rules: Rule[] }[]; skipped: { name: string; reason: string }[] } {
  const run: { check: Check; rules: Rule[] }[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const check of checks) {
    const { verify, waived } = rulesToVerify(check.name, target);
    if (verify.length) run.push({ check, rules: verify });
    else skipped.push({ name: check.name, reason: waived.join('; ') || `no rule it verifies applies to ${target.arch}` });
  }
  return { run, skipped };
}

export function runDoctor(env: DoctorEnv, checks: readonly Check[], options: RunOptions = {}): DoctorReport {
  const start = performance.now();
  const shared = new Map<string, unknown>();
  const { kernelRelease, target, boot } = observeBoot(env, shared);
  const needCtx = checkContext(env, [], shared, target);
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
      const out = check.run(checkContext(env, rules, shared, target));
      return { ...out, evidence: [...needEvidence, ...out.evidence] };
    } catch (e) {
      if (e instanceof Bail) return { ...e.outcome, evidence: [...needEvidence, ...e.outcome.evidence] };
      return { status: 'error', reason: 'crashed', evidence: [String((e as Error)?.stack ?? e)] };
    }
  }

  const results: CheckResult[] = [];
  const { run, skipped } = plannedChecks(checks, target);
  for (const { check, rules } of run) {
    const t0 = performance.now();
    const out = runOne(check, rules);
    results.push({
      name: check.name,
      rules: rules.map((r) => r.id),
      status: out.status,
      evidence: out.evidence,
      ...(out.reason !== undefined ? { reason: out.reason } : {}),
      ms: round(performance.now() - t0),
    });
  }
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const summary = { passed: count('pass'), failed: count('fail'), errors: count('error') };
  return {
    schema: REPORT_SCHEMA,
    healthy: results.length > 0 && summary.passed === results.length,
    arch: env.arch,
    kernelRelease,
    boot,
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
