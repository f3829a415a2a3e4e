import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type BuildProgress, type Manifest, buildKernel } from '../build/index.ts';
import { readDotConfig } from '../kconfig/dotconfig.ts';
import { type AccelDecision, decideAccel, readHostFacts } from '../guest/index.ts';
import { type AccelRequest } from '../guest/accel.ts';
import { type Arch, DEFAULT_TOOLCHAIN, type KernelSeries, RULES, type RuleId, type Toolchain, appliesToArch } from '../policy/index.ts';
import { CheckFailedError, UsageError } from '../util/errors.ts';
import { bootJobs, mapLimit } from '../util/parallel.ts';
import { type Classification, type Verdict, classify } from './classify.ts';
import { ALLOWED_AUDIT_FAILURES, lkdtmCmdline, needsWeakenedKernel, provingFragment, unexpectedDifferences, weakenedCmdline, weakenedFragment } from './kernel.ts';
import { LKDTM_TESTS, type LkdtmTest, type SkippedTest, skippedFor } from './lkdtm.ts';
import { type ProveBoot, proveBoot, proveInitramfs } from './boot.ts';

/** Extra boots for a test whose log had no deciding line. */
export const PROVE_RETRIES = 1;
import { type ProofRecord, saveProofRecord } from './record.ts';

// The prove stage: build the proving kernel (policy + LKDTM) and the weakened
// one (the same with each proved mitigation off), check that the proving
// kernel differs from the shipped one only in the listed ways, then per claim
// one boot of each: the attack must be blocked on the first and not blocked
// on the second, or the proof could not have failed.

export { classify, type Classification, type Verdict } from './classify.ts';
export { LKDTM_TESTS, SKIPPED_TESTS } from './lkdtm.ts';
export { PROVING_ADDITIONS, WEAKENINGS } from './kernel.ts';
export { type ProofRecord, describeProofRecord, readProofRecord } from './record.ts';

export interface Claim {
  rule: RuleId;
  test: LkdtmTest;
}

const forToolchain = (x: { toolchains?: readonly Toolchain[] }, toolchain: Toolchain) => !x.toolchains || x.toolchains.includes(toolchain);

/**
 * What the policy claims for `arch` built with `toolchain`: every (rule, test) pair its `proofs` name, in
 * policy order, except a rule only the other toolchain builds (cfi-clang under gcc) and a test claimed
 * only with the other toolchain.
 */
export function claimsFor(arch: Arch, toolchain: Toolchain = DEFAULT_TOOLCHAIN): Claim[] {
  return RULES.filter((r) => appliesToArch(r, arch) && !(r.kind === 'kconfig' && r.toolchain && r.toolchain !== toolchain)).flatMap((r) =>
    (r.proofs ?? []).flatMap((name) => {
      const test = LKDTM_TESTS.find((t) => t.name === name);
      if (!test) throw new Error(`rule ${r.id} names LKDTM test ${name}, which src/prove/lkdtm.ts does not know`);
      return appliesToArch(test, arch) && forToolchain(test, toolchain) ? [{ rule: r.id as RuleId, test }] : [];
    }),
  );
}

export interface Run {
  rule: RuleId;
  test: string;
  /** proof: the proving kernel, must be blocked; control: the weakened kernel (or the proving one when every control of the run is a command-line token, see needsWeakenedKernel), must be not blocked. */
  kind: 'proof' | 'control';
  verdict: Verdict;
  ok: boolean;
  line?: string;
  why: string;
  /** The last boot's time. */
  ms: number;
  /** Boots it took (more than one only when a log had no deciding line). */
  attempts: number;
  cmdline: string;
}

export interface ProveResult {
  arch: Arch;
  toolchain: Toolchain;
  accel: AccelDecision;
  /** The shipped kernel (the one `up` boots); the proof record is kept under its image sha256. */
  shipped: { release: string; sha256: string };
  proving: { release: string; auditFailures: string[]; cached: boolean };
  weakened: { release: string; auditFailures: string[]; cached: boolean };
  runs: Run[];
  skipped: SkippedTest[];
  summary: { claimed: number; proven: number; notBlocked: number; inconclusive: number; controls: number; controlsFailing: number };
  ok: boolean;
  totalMs: number;
}

export interface ProveOptions {
  arch: Arch;
  /** Default: DEFAULT_TOOLCHAIN. Every kernel of the proof (shipped, proving, weakened) is built with it. */
  toolchain?: Toolchain;
  /** Kernel series (default: the policy's DEFAULT_KERNEL); the LKDTM tables are 6.12's, other series may be inconclusive. */
  kernel?: KernelSeries;
  /** Only these LKDTM tests (of the policy's claims). */
  only?: readonly string[];
  accel?: AccelRequest;
  signal?: AbortSignal;
  onProgress?: (p: BuildProgress) => void;
  /** One line per boot, as it finishes. */
  onRun?: (r: Run) => void;
  /** Boots at once (default: bootJobs(), two on a machine with two cores). */
  jobs?: number;
}

async function fragmentKernel(arch: Arch, dir: string, name: string, fragment: string, opts: ProveOptions): Promise<Manifest> {
  const file = join(dir, `${name}.config`);
  await writeFile(file, fragment);
  return buildKernel({
    arch,
    ...(opts.kernel ? { kernel: opts.kernel } : {}),
    ...(opts.toolchain ? { toolchain: opts.toolchain } : {}),
    extraFragment: file,
    allowAuditFailures: true,
    outDir: join(dir, name),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
}

/** The proving kernel's audit and final .config against the shipped kernel's: only the listed differences. */
function checkProvingKernel(shipped: Manifest, proving: Manifest): void {
  const failed = proving.audit.failures.map((f) => f.split(':')[0]!);
  const unexpectedAudit = failed.filter((id) => !(ALLOWED_AUDIT_FAILURES as readonly string[]).includes(id));
  const configDiffs = unexpectedDifferences(readDotConfig(shipped.files.config).values, readDotConfig(proving.files.config).values);
  const problems = [...unexpectedAudit.map((id) => `audit: ${id} fails`), ...configDiffs];
  if (problems.length) {
    throw new CheckFailedError(`prove: the proving kernel differs from the shipped one beyond the proving additions:\n  ${problems.join('\n  ')}`);
  }
}

function proofRecord(r: ProveResult, only: readonly string[] | undefined): ProofRecord {
  return {
    arch: r.arch,
    toolchain: r.toolchain,
    kernel: r.shipped,
    provingRelease: r.proving.release,
    weakenedRelease: r.weakened.release,
    at: new Date().toISOString(),
    ok: r.ok,
    summary: r.summary,
    totalMs: r.totalMs,
    ...(only ? { only } : {}),
    runs: r.runs.map(({ rule, test, kind, verdict, ok }) => ({ rule, test, kind, verdict, ok })),
  };
}

export async function prove(opts: ProveOptions): Promise<ProveResult> {
  const t0 = performance.now();
  const { arch } = opts;
  const toolchain = opts.toolchain ?? DEFAULT_TOOLCHAIN;
  let claims = claimsFor(arch, toolchain);
  if (opts.only) {
    const unknown = opts.only.filter((n) => !claims.some((c) => c.test.name === n));
    if (unknown.length) throw new UsageError(`prove: --only ${unknown.join(',')}: not a test the policy claims for ${arch} with ${toolchain} (claimed: ${[...new Set(claims.map((c) => c.test.name))].join(',')})`);
    claims = claims.filter((c) => opts.only!.includes(c.test.name));
  }
  const accel = decideAccel(opts.accel ?? 'auto', arch, readHostFacts());
  const dir = await mkdtemp(join(tmpdir(), `capsem-prove-${arch}-`));
  try {
    const shipped = await buildKernel({
      arch,
      ...(opts.kernel ? { kernel: opts.kernel } : {}),
      toolchain,
      outDir: join(dir, 'shipped'),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    const proving = await fragmentKernel(arch, dir, 'proving', provingFragment(), opts);
    checkProvingKernel(shipped, proving);
    const weakened = needsWeakenedKernel(claims.map((c) => c.rule), arch, toolchain)
      ? await fragmentKernel(arch, dir, 'weakened', weakenedFragment(arch, toolchain), opts)
      : proving;
    const initramfs = await proveInitramfs(arch, dir, opts.signal);
    // Each (claim, kind) boot is independent: two at a time on two cores (`jobs`), reported as each finishes, kept in claim order.
    const boots = claims.flatMap((c) => (['proof', 'control'] as const).map((kind) => ({ c, kind })));
    const runs = await mapLimit(boots, opts.jobs ?? bootJobs(), async ({ c, kind }): Promise<Run> => {
      const kernel = kind === 'proof' ? proving : weakened;
      const append = [...(kind === 'control' ? weakenedCmdline(arch, toolchain) : []), ...lkdtmCmdline(c.test.name)];
      let boot: ProveBoot;
      let v: Classification;
      let attempts = 0;
      // A log without any deciding line (cut short, or the emulated x86 UART dropping characters under
      // host load: seen once on FORTIFY_STRSCPY) is measured again; it is never read as a verdict.
      do {
        attempts++;
        boot = await proveBoot({ arch, accel: accel.accel, kernel: kernel.image.path, initramfs, append, ...(opts.signal ? { signal: opts.signal } : {}) });
        v = classify(c.test, boot.console);
      } while (v.verdict === 'inconclusive' && !v.line && attempts <= PROVE_RETRIES);
      const want: Verdict = kind === 'proof' ? 'blocked' : 'not-blocked';
      const run: Run = { rule: c.rule, test: c.test.name, kind, verdict: v.verdict, ok: v.verdict === want, ...(v.line ? { line: v.line } : {}), why: boot.timedOut ? `${v.why} (killed at the wall-clock limit)` : v.why, ms: boot.ms, attempts, cmdline: boot.cmdline };
      opts.onRun?.(run);
      return run;
    });
    const proofs = runs.filter((r) => r.kind === 'proof');
    const controls = runs.filter((r) => r.kind === 'control');
    const summary = {
      claimed: proofs.length,
      proven: proofs.filter((r) => r.verdict === 'blocked' && controls.some((k) => k.rule === r.rule && k.test === r.test && k.ok)).length,
      notBlocked: proofs.filter((r) => r.verdict === 'not-blocked').length,
      inconclusive: proofs.filter((r) => r.verdict === 'inconclusive').length,
      controls: controls.length,
      controlsFailing: controls.filter((r) => !r.ok).length,
    };
    const describe = (m: Manifest) => ({ release: m.kernelRelease, auditFailures: m.audit.failures, cached: m.cached });
    const result: ProveResult = {
      arch,
      toolchain,
      accel,
      shipped: { release: shipped.kernelRelease, sha256: shipped.image.sha256 },
      proving: describe(proving),
      weakened: describe(weakened),
      runs,
      skipped: skippedFor(arch, toolchain),
      summary,
      ok: runs.every((r) => r.ok),
      totalMs: Math.round(performance.now() - t0),
    };
    saveProofRecord(proofRecord(result, opts.only));
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
