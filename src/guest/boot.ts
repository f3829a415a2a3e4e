import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DoctorReport } from '../doctor/types.ts';
import { type Arch, DEFAULT_KERNEL, SHELL_PARAM, cmdlineFor } from '../policy/index.ts';
import { EnvironmentError, InputError, InterruptedError } from '../util/errors.ts';
import { type AccelDecision, type AccelRequest, type HostFacts, decideAccel, readHostFacts } from './accel.ts';
import { type KernelIdentity, ResultListener, verdictFrom } from './channel.ts';
import { QEMU_BINARY, bootCmdline, qemuArgs } from './qemu.ts';
import { type BootTimings, bootTimings } from './timings.ts';
import { DEFAULT_VARIANT, type GuestVariant, editCmdline } from './variant.ts';

// One VM, start to verdict: decide the accelerator, listen on the result
// socket, start QEMU, enforce the wall-clock limit, then judge what arrived on
// the result port. A VM that hangs, dies, or sends nothing usable is
// unhealthy, with the reason and the console's last lines.

export interface BootOptions {
  arch: Arch;
  /** The kernel image (bzImage / Image). */
  kernel: string;
  /** The guest images (buildRootfs's squashfs and initramfs). */
  rootfs: string;
  initramfs: string;
  /**
   * The kernel the caller means to boot: its build manifest (the guest's release must
   * match it), or why there is none (unhealthy unless `allow`).
   */
  identity: KernelIdentity;
  /** Must be the variant the images were built for (its command line edits apply here). */
  variant?: GuestVariant;
  /** A request ('auto' by default), or a decision already made (callers that fail fast before building). */
  accel?: AccelRequest | AccelDecision;
  /** Host facts for the accelerator decision (default: read from this host). */
  hostFacts?: HostFacts;
  /** Hand the console to the user and drop to a shell after the doctor. */
  shell?: boolean;
  /** Wall-clock limit; the VM is killed after it. Default 180 s (none with `shell`). */
  timeoutMs?: number;
  memoryMiB?: number;
  signal?: AbortSignal;
  /** Live console output (not with `shell`: the console is the user's terminal then). */
  onConsole?: (text: string) => void;
}

export interface BootResult {
  healthy: boolean;
  /** Why not healthy. */
  reason?: string;
  report?: DoctorReport;
  arch: Arch;
  accel: AccelDecision;
  timings: BootTimings;
  /** The console's last lines (logs only: never evidence). */
  consoleTail: string;
  cmdline: string;
  /** This boot's nonce (on the command line; the verdict must carry it). */
  nonce: string;
  /** What did not make the boot unhealthy but a reader should know (e.g. an allowed unknown kernel). */
  warnings: string[];
  qemu: { argv: string[]; exitCode: number | null; signal: string | null; timedOut: boolean };
}

export const DEFAULT_TIMEOUT_MS = 180_000;
const TAIL_BYTES = 4096;
const TAIL_LINES = 30;

/**
 * Printable console text, last lines only: escape sequences and control
 * characters other than newline and tab are dropped, so guest output printed
 * in a report cannot drive the user's terminal.
 */
export function consoleTailOf(raw: string, lines = TAIL_LINES): string {
  // eslint-disable-next-line no-control-regex
  const clean = raw.replace(/\r/g, '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
  return clean.split('\n').slice(-lines).join('\n').trimEnd();
}

export async function bootGuest(opts: BootOptions): Promise<BootResult> {
  const { arch } = opts;
  const variant = opts.variant ?? DEFAULT_VARIANT;
  for (const [what, path] of [['kernel', opts.kernel], ['rootfs', opts.rootfs], ['initramfs', opts.initramfs]] as const) {
    if (!existsSync(path)) throw new InputError(path, `${what} image not found`);
  }
  const accel =
    typeof opts.accel === 'object' ? opts.accel : decideAccel(opts.accel ?? 'auto', arch, opts.hostFacts ?? readHostFacts());
  const kernelVersion = opts.identity.kind === 'manifest' ? opts.identity.target.kernel : DEFAULT_KERNEL;
  const nonce = randomBytes(16).toString('hex');
  const cmdline = [editCmdline(bootCmdline(arch, cmdlineFor(arch, kernelVersion), nonce), variant), ...(opts.shell ? [`${SHELL_PARAM}=1`] : [])].join(' ');
  const dir = await mkdtemp(join(tmpdir(), 'capsem-boot-'));
  const socket = join(dir, 'result.sock');
  const listener = await ResultListener.listen(socket);
  const args = qemuArgs({
    arch,
    accel: accel.accel,
    kernel: opts.kernel,
    initramfs: opts.initramfs,
    rootfs: opts.rootfs,
    cmdline,
    resultSocket: socket,
    ...(variant.qemuDevices ? { extraDevices: variant.qemuDevices } : {}),
    ...(opts.memoryMiB ? { memoryMiB: opts.memoryMiB } : {}),
  });
  const qemu = QEMU_BINARY[arch];
  const timeoutMs = opts.timeoutMs ?? (opts.shell ? 0 : DEFAULT_TIMEOUT_MS);
  let rawConsole = '';
  let stderr = '';
  let timedOut = false;
  try {
    const spawnAt = performance.now();
    const child = spawn(qemu, args, { stdio: opts.shell ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      rawConsole = (rawConsole + text).slice(-TAIL_BYTES);
      opts.onConsole?.(text);
    });
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-TAIL_BYTES)));
    const timer = timeoutMs > 0 ? setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), timeoutMs) : undefined;
    const onAbort = () => child.kill('SIGKILL');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
      child.on('error', (e: NodeJS.ErrnoException) =>
        reject(e.code === 'ENOENT' ? new EnvironmentError(`${qemu} not found (install ${arch === 'x86_64' ? 'qemu-system-x86' : 'qemu-system-arm'})`) : e),
      );
      child.on('exit', (code, signal) => resolve({ code, signal }));
    }).finally(() => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    });
    const exitAt = performance.now();
    if (opts.signal?.aborted) throw new InterruptedError('boot interrupted; the VM was stopped');
    const verdict = verdictFrom(listener.bytes(), { arch, nonce, cmdline, kernel: opts.identity, overflow: listener.overflow });
    const report = verdict.ok ? verdict.report : undefined;
    const timings = bootTimings(
      { spawnAt, exitAt, ...(verdict.ok && listener.lastByteAt !== undefined ? { verdictAt: listener.lastByteAt } : {}) },
      report?.bootTimings,
    );
    const qemuInfo = { argv: [qemu, ...args], exitCode: exit.code, signal: exit.signal, timedOut };
    const consoleTail = consoleTailOf(rawConsole);
    let reason = verdict.reason;
    if (timedOut) reason = `the VM did not finish within ${Math.round(timeoutMs / 1000)} s and was killed${reason ? ` (${reason})` : ''}`;
    else if (!listener.connected) {
      reason = `QEMU exited (${exit.signal ?? `code ${exit.code}`}) before the result channel was connected: ${consoleTailOf(stderr, 5) || 'no message'}`;
    } else if (exit.signal && !verdict.ok) reason = `QEMU was killed (${exit.signal}) before the verdict: ${verdict.reason}`;
    else if (exit.code !== 0 && verdict.healthy) reason = `QEMU exited with ${exit.signal ?? `code ${exit.code}`}`;
    const healthy = verdict.healthy && !reason;
    return {
      healthy,
      ...(reason ? { reason } : {}),
      ...(report ? { report } : {}),
      arch,
      accel,
      timings,
      consoleTail,
      cmdline,
      nonce,
      warnings: verdict.warnings,
      qemu: qemuInfo,
    };
  } finally {
    await listener.close();
    await rm(dir, { recursive: true, force: true });
  }
}
