import { describe, expect, it } from 'vitest';
import { bootTimings } from '../../src/guest/timings.ts';

const guest = [
  { stage: 'init', ms: 500 },
  { stage: 'rootfs', ms: 600 },
  { stage: 'capsem-init', ms: 650 },
  { stage: 'network', ms: 700 },
  { stage: 'doctor', ms: 720 },
  { stage: 'sent', ms: 2720 },
];

describe('bootTimings', () => {
  it('pins the guest clock to the host through the last mark', () => {
    // QEMU started at host 1000; verdict at host 4000; guest sent at its 2720 -> kernel started at host 1280.
    const t = bootTimings({ spawnAt: 1000, verdictAt: 4000, exitAt: 4100 }, guest);
    expect(t.msToVerdict).toBe(3000);
    expect(t.msToExit).toBe(3100);
    expect(t.phases).toEqual({ qemuToKernel: 280, kernelToInit: 500, initToDoctor: 220, doctor: 2000 });
    expect(t.msToInit).toBe(780);
    expect(t.guest).toEqual(guest);
  });

  it("splits the doctor by its own marks (process start, first line of our code, checks done, sent)", () => {
    const marks = [...guest.slice(0, 5), { stage: 'doctor-process', ms: 760.5 }, { stage: 'doctor-ready', ms: 1900 }, { stage: 'checks-done', ms: 2600 }, { stage: 'doctor-sent', ms: 2720 }];
    const t = bootTimings({ spawnAt: 1000, verdictAt: 4000, exitAt: 4100 }, marks);
    expect(t.phases).toEqual({
      qemuToKernel: 280, kernelToInit: 500, initToDoctor: 220, doctor: 2000,
      doctorProcess: 41, runtimeReady: 1140, checks: 700, send: 120, doctorRun: 820,
    });
  });

  it('without a verdict only the host wall clock is known', () => {
    expect(bootTimings({ spawnAt: 0, exitAt: 900 }, guest)).toEqual({ guest, msToExit: 900 });
  });

  it('without a mark after the doctor, only the guest-clock phases (no guess at the rest)', () => {
    const t = bootTimings({ spawnAt: 0, verdictAt: 3000, exitAt: 3100 }, guest.slice(0, 5));
    expect(t.msToVerdict).toBe(3000);
    expect(t.phases).toEqual({ kernelToInit: 500, initToDoctor: 220 });
    expect(t.msToInit).toBeUndefined();
  });
});
