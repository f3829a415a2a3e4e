// The init's stage timings, handed to `capsem-doctor --timings FILE`:
// one line per stage, `<stage> <ms>`, where ms is the time since boot
// (/proc/uptime) at which the stage began, e.g. "rootfs 812". Stage names are
// [A-Za-z0-9_.-]+; blank lines are ignored; anything else is an error.
//
// The doctor adds its own marks on the same clock (CLOCK_MONOTONIC, which is
// /proc/uptime's clock in a guest that never suspends, at µs resolution instead
// of /proc/uptime's 10 ms): when its runtime process started, when the first
// line of our code ran (the bundle's banner, see scripts/bundle.mjs), when the
// checks were done and when the frame left.

import type { BootTiming } from './types.ts';

const LINE = /^([A-Za-z0-9_.-]+) (\d+(?:\.\d+)?)$/;

/** Throws `<file>:<line>: ...` on the first malformed line. */
export function parseBootTimings(text: string, file: string): BootTiming[] {
  const out: BootTiming[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const m = LINE.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: expected "<stage> <ms since boot>", got ${JSON.stringify(raw)}`);
    out.push({ stage: m[1]!, ms: Number(m[2]) });
  });
  return out;
}

/** Set by the runtime or the bundle's banner, both in ms on guestClockMs()'s clock. */
interface RuntimeClockHooks {
  /** The runtime's own process start (a runtime that knows it sets it; otherwise derived from performance). */
  __capsemProcessStartMs?: number;
  /** The first line of our code (the bundle's banner). */
  __capsemReadyMs?: number;
}

/** CLOCK_MONOTONIC in ms, 0.01 ms resolution (the guest's uptime clock). */
export function guestClockMs(): number {
  return Math.round(Number(process.hrtime.bigint()) / 1e4) / 100;
}

/** `stage` at the current instant. */
export function markNow(stage: string): BootTiming {
  return { stage, ms: guestClockMs() };
}

/**
 * The runtime's marks: `doctor-process` (the runtime's process started: after
 * exec and dynamic loading) and `doctor-ready` (the first line of our code ran).
 * Empty when the banner did not run (the doctor imported as a module, e.g. in tests).
 */
export function runtimeMarks(): BootTiming[] {
  const hooks = globalThis as RuntimeClockHooks;
  if (hooks.__capsemReadyMs === undefined) return [];
  // performance.now() counts from the process's time origin: the runtime's own start.
  const start = hooks.__capsemProcessStartMs ?? guestClockMs() - performance.now();
  const round = (n: number) => Math.round(n * 100) / 100;
  return [
    { stage: 'doctor-process', ms: round(start) },
    { stage: 'doctor-ready', ms: round(hooks.__capsemReadyMs) },
  ];
}
