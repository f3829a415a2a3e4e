import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { progressLog } from '../../src/build/progress.ts';

// The log for output that is not a terminal: a line per stage, and a heartbeat
// at least every 30 s while a stage runs, also when no object finishes (the link).
describe('progressLog', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a line per stage, per-object events throttled to the heartbeat, and a heartbeat when nothing happens', () => {
    const lines: string[] = [];
    const log = progressLog((l) => lines.push(l), 'build', 30);
    log.onProgress({ stage: 'configure', message: 'olddefconfig', elapsedSeconds: 1 });
    log.onProgress({ stage: 'compile', message: 'init/main.o', done: 1, total: 900, elapsedSeconds: 2 });
    for (let i = 2; i < 50; i++) log.onProgress({ stage: 'compile', message: 'x.o', done: i, total: 900, elapsedSeconds: 2 });
    expect(lines).toEqual(['build: [configure] olddefconfig (0:01)\n', 'build: [compile] 1/900 objects (0:02)\n']);
    vi.advanceTimersByTime(31_000); // the link: no object events for half a minute
    expect(lines.at(-1)).toBe('build: [compile] 49/900 objects (0:31)\n');
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(3);
    log.stop();
    vi.advanceTimersByTime(120_000);
    expect(lines).toHaveLength(3);
  });
});
