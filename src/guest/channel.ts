import { type Server, type Socket, createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { decodeFrame } from '../doctor/channel.ts';
import type { DoctorReport } from '../doctor/types.ts';
import { plannedChecks } from '../doctor/runner.ts';
import { ALL_CHECKS } from '../doctor/registry.ts';
import { type Arch, GUEST, LAUNCHER_TOKENS, type Target, normalizeParamName, parseCmdline, parseKernelSeries } from '../policy/index.ts';

// The host end of the result channel. QEMU connects the guest's
// `org.capsem.doctor` virtio-serial port to a Unix socket we listen on; the
// doctor writes one frame there. Only that port is trusted: the console
// carries logs any guest process can forge. The host decides health itself
// from the checks, and any missing, truncated, malformed or incomplete result
// is unhealthy, with the reason.

/** Never buffer more than this from a guest (a report is a few tens of KB). */
export const MAX_RESULT_BYTES = 4 * 1024 * 1024;

export class ResultListener {
  private chunks: Buffer[] = [];
  private size = 0;
  private socket: Socket | undefined;
  /** performance.now() of the first and last byte received. */
  firstByteAt: number | undefined;
  lastByteAt: number | undefined;
  connected = false;
  overflow = false;

  private constructor(private readonly server: Server) {}

  static async listen(path: string): Promise<ResultListener> {
    const server = createServer();
    const listener = new ResultListener(server);
    server.on('connection', (s) => listener.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return listener;
  }

  private accept(s: Socket): void {
    // One guest, one connection: QEMU's. Anything else is refused.
    if (this.socket) {
      s.destroy();
      return;
    }
    this.socket = s;
    this.connected = true;
    s.on('data', (d: Buffer) => {
      const now = performance.now();
      this.firstByteAt ??= now;
      this.lastByteAt = now;
      if (this.size + d.length > MAX_RESULT_BYTES) {
        this.overflow = true;
        return;
      }
      this.chunks.push(d);
      this.size += d.length;
    });
    s.on('error', () => {});
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export type Verdict =
  | { ok: true; healthy: boolean; report: DoctorReport; reason?: string; warnings: string[] }
  | { ok: false; healthy: false; reason: string; warnings: string[] };

/** Which kernel the host booted: the build manifest that names it, or none. */
export type KernelIdentity =
  | { kind: 'manifest'; manifest: string; release: string; target: Target }
  | { kind: 'unknown'; why: string; allow: boolean };

/** The identity a build manifest gives its image (structural: the guest stage does not import the build's types). */
export function manifestIdentity(
  path: string,
  m: { arch: Arch; kernelVersion: Target['kernel']; kernelRelease: string; toolchain: { name: Target['toolchain'] } },
): KernelIdentity {
  return { kind: 'manifest', manifest: path, release: m.kernelRelease, target: { arch: m.arch, kernel: m.kernelVersion, toolchain: m.toolchain.name } };
}

/** What the host knows about the boot it started, to hold the verdict to. */
export interface BootExpectation {
  arch: Arch;
  /** The `capsem.nonce` it put on the command line. */
  nonce: string;
  /** The command line it passed (`-append`). */
  cmdline: string;
  kernel: KernelIdentity;
  overflow?: boolean;
}

// Tokens QEMU itself adds to the line it was given (microvm's virtio-mmio list).
const QEMU_ADDED = new Set(LAUNCHER_TOKENS.filter((t) => t.origin === 'qemu').map((t) => t.key));

/** How the guest's /proc/cmdline departs from the line the host passed (QEMU's own additions aside). */
function cmdlineDrift(passed: string, seen: string): string | undefined {
  const words = (s: string, dropQemu: boolean) =>
    parseCmdline(s).tokens
      .filter((t) => !dropQemu || !QEMU_ADDED.has(normalizeParamName(t.key)))
      .map((t) => (t.value === undefined ? t.key : `${t.key}=${t.value}`));
  const want = words(passed, false);
  const got = words(seen, true);
  if (want.join(' ') === got.join(' ')) return undefined;
  const extra = got.filter((w) => !want.includes(w));
  const missing = want.filter((w) => !got.includes(w));
  const detail = [extra.length ? `not passed by the host: ${extra.join(' ')}` : '', missing.length ? `passed but absent: ${missing.join(' ')}` : '']
    .filter(Boolean)
    .join('; ');
  return `the guest booted with another command line than the host passed (${detail || 'same tokens, another order'}): a built-in or injected command line`;
}

/** The check set and per-check rule lists the policy runs on `target`, against the report's. */
function checkSetDrift(report: DoctorReport, target: Target): string[] {
  const plan = plannedChecks(ALL_CHECKS, target);
  const problems: string[] = [];
  const planned = new Map(plan.run.map((p) => [p.check.name as string, p.rules.map((r) => r.id)]));
  const seen = new Set(report.checks.map((c) => c.name));
  const missing = [...planned.keys()].filter((n) => !seen.has(n));
  if (missing.length) problems.push(`checks missing from the report: ${missing.join(', ')}`);
  const unplanned = report.checks.filter((c) => !planned.has(c.name)).map((c) => c.name);
  if (unplanned.length) problems.push(`checks the policy does not run on ${describeTarget(target)}: ${unplanned.join(', ')}`);
  for (const c of report.checks) {
    const rules = planned.get(c.name);
    if (rules && rules.join(',') !== c.rules.join(',')) {
      problems.push(`${c.name} verifies [${c.rules.join(', ')}]; the policy has it verify [${rules.join(', ')}]`);
    }
  }
  return problems;
}

const describeTarget = (t: { arch: string; kernel: string; toolchain: string }) => `${t.arch} Linux ${t.kernel} (${t.toolchain})`;

/**
 * What the host makes of the bytes that arrived on the result port. A valid
 * frame is still unhealthy unless it is this boot's (nonce, command line), from
 * the kernel the host booted (release), has exactly the checks and rules the
 * policy runs for that target, and every check passed (the report's own
 * `healthy` flag is not taken on trust).
 */
export function verdictFrom(bytes: Buffer, expect: BootExpectation): Verdict {
  const port = GUEST.resultPort;
  const warnings: string[] = [];
  if (expect.overflow) return { ok: false, healthy: false, reason: `the guest sent more than ${MAX_RESULT_BYTES} bytes on ${port}`, warnings };
  if (bytes.length === 0) return { ok: false, healthy: false, reason: `no result: the guest sent nothing on ${port}`, warnings };
  const decoded = decodeFrame(bytes);
  if (!decoded.ok) return { ok: false, healthy: false, reason: `malformed result on ${port}: ${decoded.reason}`, warnings };
  const report = decoded.report;
  const problems: string[] = [];
  if (report.arch !== expect.arch) problems.push(`the report is for arch ${report.arch}, the guest is ${expect.arch}`);
  if (report.boot.nonce !== expect.nonce) {
    problems.push(`the verdict is not from this boot: it carries nonce ${report.boot.nonce ?? '(none)'}, this boot's is ${expect.nonce} (a replayed or forged frame)`);
  }
  const drift = cmdlineDrift(expect.cmdline, report.boot.cmdline);
  if (drift) problems.push(drift);
  let target: Target | undefined;
  if (expect.kernel.kind === 'manifest') {
    const k = expect.kernel;
    if (report.kernelRelease !== k.release) {
      problems.push(`the kernel is not the audited one: the guest runs ${report.kernelRelease}, the build manifest ${k.manifest} names ${k.release}`);
    }
    target = k.target;
    const claimed = report.boot.target;
    if (claimed.arch !== target.arch || claimed.kernel !== target.kernel || claimed.toolchain !== target.toolchain) {
      problems.push(`the doctor judged ${describeTarget(claimed)}; the kernel was built for ${describeTarget(target)}`);
    }
  } else {
    const note = `the kernel is unidentified: ${expect.kernel.why}`;
    if (expect.kernel.allow) warnings.push(`${note} (allowed by --allow-unknown-kernel: nothing ties it to an audited config)`);
    else problems.push(`${note}; pass --allow-unknown-kernel to accept a kernel no capsem build names`);
    const claimed = report.boot.target;
    const series = parseKernelSeries(claimed.kernel);
    if (series && (claimed.toolchain === 'gcc' || claimed.toolchain === 'clang')) {
      target = { arch: expect.arch, kernel: series, toolchain: claimed.toolchain };
    } else problems.push(`the report names no target the policy knows: ${describeTarget(claimed)}`);
  }
  if (target) problems.push(...checkSetDrift(report, target));
  const notPassed = report.checks.filter((c) => c.status !== 'pass');
  if (notPassed.length) {
    problems.push(`${notPassed.length} check(s) did not pass: ${notPassed.map((c) => `${c.name} (${c.status})`).join(', ')}`);
  }
  if (!report.healthy && problems.length === 0) problems.push('the doctor reported unhealthy');
  if (problems.length) return { ok: true, healthy: false, report, reason: problems.join('; '), warnings };
  return { ok: true, healthy: true, report, warnings };
}
