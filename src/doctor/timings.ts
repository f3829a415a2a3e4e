// The init's stage timings, handed to `capsem-doctor --timings FILE`:
// one line per stage, `<stage> <ms>`, where ms is the time since boot
// (/proc/uptime) at which the stage began, e.g. "rootfs 812". Stage names are
// [A-Za-z0-9_.-]+; blank lines are ignored; anything else is an error.

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
