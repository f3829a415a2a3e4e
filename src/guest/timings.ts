import type { BootTiming } from '../doctor/types.ts';

// Boot time from two clocks. The host knows when it started QEMU and when the
// verdict frame arrived; the guest marks its stages in ms since its kernel
// started (/proc/uptime) and sends them inside the frame. The last guest mark
// (taken just before sending) pins the guest clock to the host's: kernel start
// on the host's clock = verdict arrival - that mark.

/** Each phase is there when the marks it needs arrived. */
export interface BootPhases {
  /** QEMU process start -> guest kernel start (QEMU set-up, firmware, kernel decompression). Needs the doctor's mark. */
  qemuToKernel?: number;
  /** Guest kernel start -> /init runs (guest clock). */
  kernelToInit?: number;
  /** /init -> the doctor starts: root, switch_root, network (guest clock). */
  initToDoctor?: number;
  /** The doctor, its runtime's cold start included, until it sends. Needs the doctor's mark. */
  doctor?: number;
  // The doctor split by its own marks (guest clock; each there when both its marks are):
  /** init starts the doctor -> its runtime's process starts (the wrapper, exec, dynamic loading). */
  doctorProcess?: number;
  /** Runtime process start -> the first line of our code (engine start, reading and compiling the bundle). */
  runtimeReady?: number;
  /** First line of our code -> every check done (module set-up and the checks). */
  checks?: number;
  /** Checks done -> the frame leaves (report, hash, write). */
  send?: number;
  /** The doctor's own run: first line of our code -> frame sent. */
  doctorRun?: number;
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
  const doctor = at('doctor');
  const doctorIdx = guest.findIndex((t) => t.stage === 'doctor');
  const sent = doctorIdx >= 0 ? guest.slice(doctorIdx + 1).at(-1)?.ms : undefined;
  const phases: BootPhases = {};
  if (init !== undefined) phases.kernelToInit = ms(init);
  if (init !== undefined && doctor !== undefined) phases.initToDoctor = ms(doctor - init);
  if (sent !== undefined && doctor !== undefined) {
    const qemuToKernel = host.verdictAt - sent - host.spawnAt;
    phases.qemuToKernel = ms(qemuToKernel);
    phases.doctor = ms(sent - doctor);
    if (init !== undefined) out.msToInit = ms(qemuToKernel + init);
  }
  const span = (from: number | undefined, to: number | undefined) => (from !== undefined && to !== undefined ? ms(to - from) : undefined);
  const split: [keyof BootPhases, number | undefined][] = [
    ['doctorProcess', span(doctor, at('doctor-process'))],
    ['runtimeReady', span(at('doctor-process'), at('doctor-ready'))],
    ['checks', span(at('doctor-ready'), at('checks-done'))],
    ['send', span(at('checks-done'), at('doctor-sent'))],
    ['doctorRun', span(at('doctor-ready'), at('doctor-sent'))],
  ];
  for (const [k, v] of split) if (v !== undefined) phases[k] = v;
  if (Object.keys(phases).length) out.phases = phases;
  return out;
}
