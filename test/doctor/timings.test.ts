import { describe, expect, it } from 'vitest';
import { parseBootTimings } from '../../src/doctor/timings.ts';

describe('boot timings file', () => {
  it('reads "<stage> <ms>" lines in order, skipping blank lines', () => {
    expect(parseBootTimings('init 512\nrootfs 830.5\n\ncapsem-init 901\n', 't')).toEqual([
      { stage: 'init', ms: 512 },
      { stage: 'rootfs', ms: 830.5 },
      { stage: 'capsem-init', ms: 901 },
    ]);
    expect(parseBootTimings('', 't')).toEqual([]);
  });

  it.each(['init', 'init 5ms', 'init -1', 'two words 5', 'init 5 6'])('rejects %j with file:line', (line) => {
    expect(() => parseBootTimings(`ok 1\n${line}\n`, '/run/capsem/timings')).toThrow(/^\/run\/capsem\/timings:2: expected/);
  });
});
