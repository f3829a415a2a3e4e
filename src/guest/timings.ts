import type { BootTiming } from '../doctor/types.ts';

// Boot time from two clocks. The host knows when it started QEMU and when the
// verdict frame arrived; the guest marks its stages in ms since its kernel
// started (/proc/uptime) and sends them inside the frame. The last guest mark
// (taken just before sending) pins the guest clock to the host's: kernel start
// on the host's clock = verdict arrival - that mark.

export interface BootPhases {
  /** QEMU process start -> guest kernel start (QEMU set-up, loading kernel and initramfs). */
  qemuToKernel: number;
  /** Guest kernel start -> /init runs. */
  kernelToInit: number;
  /** /init -> the doctor starts (root, switch_root, network). */
  initToDoctor: number;
  /** The doctor, including node's cold start, until it sends. */
  doctor: number;
}

export interface BootTimings {
  /** Host: QEMU start -> verdict received. */
  msToVerdict?: number;
  /** QEMU start -> /init runs (host clock, pinned through the guest's last mark). */
  msToInit?: number;
  phases?: BootPhases;
  /** The guest's own marks, as sent. */
  guest: BootTiming[];
  /** Host: QEMU start -> QEMU exit. */
  msToExit: number;
}

const ms = (n: number) => Math.round(n);

/**
 * `spawnAt`, `verdictAt`, `exitAt`: host performance.now() values. The guest's
 * marks must include 'init' and 'doctor'; a mark after 'doctor' (the doctor's
 * own, taken when it sends) is what pins the clocks.
 */
export function bootTimings(
  host: { spawnAt: number; verdictAt?: number; exitAt: number },
  guest: readonly BootTiming[] = [],
): BootTimings {
  const out: BootTimings = { guest: [...guest], msToExit: ms(host.exitAt - host.spawnAt) };
  if (host.verdictAt === undefined) return out;
  out.msToVerdict = ms(host.verdictAt - host.spawnAt);
  const at = (stage: string) => guest.find((t) => t.stage === stage)?.ms;
  const init = at('init');
  const doctorIdx = guest.findIndex((t) => t.stage === 'doctor');
  const sent = doctorIdx >= 0 ? guest.slice(doctorIdx + 1).at(-1)?.ms : undefined;
  const doctor = at('doctor');
  if (init === undefined || doctor === undefined || sent === undefined) return out;
  const kernelStart = host.verdictAt - sent;
  const qemuToKernel = kernelStart - host.spawnAt;
  out.msToInit = ms(qemuToKernel + init);
  out.phases = { qemuToKernel: ms(qemuToKernel), kernelToInit: ms(init), initToDoctor: ms(doctor - init), doctor: ms(sent - doctor) };
  return out;
}
