import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { busyboxInitramfs } from '../guest/cpio.ts';
import type { Accel } from '../guest/index.ts';
import { QEMU_BINARY, consoleArgs, kernelBootArgs } from '../guest/qemu.ts';
import { fetchBusybox } from '../guest/runtime.ts';
import { type Arch, cmdlineFor, launcherCmdline } from '../policy/index.ts';
import { EnvironmentError, InterruptedError } from '../util/errors.ts';
import { INIT_MARKER } from './classify.ts';

// One proving boot: the kernel, a tiny initramfs whose init only says it was
// reached and powers off, the policy's command line plus the launcher's
// tokens (panic=-1: an Oops ends the VM at once under -no-reboot) and the
// LKDTM trigger. No disk, no result port: the console is the only output.

export const PROVE_BOOT_TIMEOUT_MS = 60_000;

/**
 * Guest RAM of a proving boot. With init_on_free=1 the kernel clears all free
 * memory at boot ("mem auto-init: clearing system memory may take some time"):
 * under TCG with the default 512 MiB that was 48.7 s of a boot against 11.9 s
 * with init_on_free=0 (x86_64, loaded host). LKDTM and busybox need far less.
 */
export const PROVE_MEMORY_MIB = 128;

/** busybox and an /init that prints INIT_MARKER and powers off: reaching it means the kernel went on. */
export async function proveInitramfs(arch: Arch, dir: string, signal?: AbortSignal): Promise<string> {
  const busybox = await readFile((await fetchBusybox(arch, signal)).path);
  const path = join(dir, `prove-${arch}.cpio.gz`);
  await writeFile(path, busyboxInitramfs(busybox, `#!/bin/sh\necho '${INIT_MARKER}'\nreboot -f\n`));
  return path;
}

export interface ProveBootInputs {
  arch: Arch;
  accel: Accel;
  kernel: string;
  initramfs: string;
  /** Tokens after the policy's and the launcher's (the LKDTM trigger, a control's weakenings). */
  append: readonly string[];
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ProveBoot {
  cmdline: string;
  console: string;
  ms: number;
  timedOut: boolean;
}

export function proveCmdline(arch: Arch, append: readonly string[]): string {
  return [cmdlineFor(arch), ...launcherCmdline(arch), ...append].join(' ');
}

/**
 * The console of a proving boot. x86_64: the launcher's (ISA serial from the
 * first line). arm64: the launcher's virtio-serial bus offers several ports, so
 * the kernel sets its console up from a workqueue once the host answers, after
 * LKDTM's initcall: an attack that panics there left an empty log (11 of 18
 * measured). With one port (max_ports=1: no multiport feature) virtio_console
 * registers hvc0 in its probe, which runs before LKDTM's (drivers/virtio and
 * drivers/char link before drivers/misc).
 */
function proveConsoleArgs(arch: Arch): string[] {
  if (arch === 'x86_64') return consoleArgs(arch);
  return ['-device', 'virtio-serial-device,id=vser0,max_ports=1', '-serial', 'none', '-chardev', 'stdio,id=con0,signal=off', '-device', 'virtconsole,chardev=con0,bus=vser0.0,nr=0'];
}

export async function proveBoot(i: ProveBootInputs): Promise<ProveBoot> {
  const cmdline = proveCmdline(i.arch, i.append);
  const args = [...kernelBootArgs({ arch: i.arch, accel: i.accel, kernel: i.kernel, initramfs: i.initramfs, cmdline, memoryMiB: PROVE_MEMORY_MIB }), ...proveConsoleArgs(i.arch)];
  const timeoutMs = i.timeoutMs ?? PROVE_BOOT_TIMEOUT_MS;
  const t0 = performance.now();
  const child = spawn(QEMU_BINARY[i.arch], args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (err = (err + d.toString('utf8')).slice(-2000)));
  let timedOut = false;
  const timer = setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), timeoutMs);
  const onAbort = () => child.kill('SIGKILL');
  i.signal?.addEventListener('abort', onAbort, { once: true });
  const exit = await new Promise<{ code: number | null; spawnError?: NodeJS.ErrnoException }>((resolve) => {
    child.on('error', (e: NodeJS.ErrnoException) => resolve({ code: null, spawnError: e }));
    child.on('close', (code) => resolve({ code }));
  });
  clearTimeout(timer);
  i.signal?.removeEventListener('abort', onAbort);
  if (exit.spawnError?.code === 'ENOENT') throw new EnvironmentError(`${QEMU_BINARY[i.arch]} not found (install qemu-system-${i.arch === 'x86_64' ? 'x86' : 'arm'})`);
  if (exit.spawnError) throw exit.spawnError;
  if (i.signal?.aborted) throw new InterruptedError('prove: interrupted');
  if (exit.code !== 0 && !timedOut) throw new EnvironmentError(`${QEMU_BINARY[i.arch]} exited ${exit.code}: ${err.trim().split('\n').slice(-3).join(' | ')}`);
  return { cmdline, console: out, ms: Math.round(performance.now() - t0), timedOut };
}
