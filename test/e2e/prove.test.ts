import { describe, expect, it } from 'vitest';
import { claimsFor, prove } from '../../src/prove/index.ts';

// The x86_64 proof end to end: the proving and weakened kernels (cached
// builds after the first), one TCG boot per claimed LKDTM test on each. Every
// claimed attack must be blocked on the proving kernel and get through on the
// weakened one; a failure names the test, the verdict and the deciding line.
// Boot times go to the report (stderr), never into an assertion.

describe('prove (x86_64)', () => {
  it('every claimed attack is blocked, and every control lets it through', async () => {
    const r = await prove({ arch: 'x86_64', onRun: (run) => process.stderr.write(`prove e2e: ${run.kind} ${run.test}: ${run.verdict} in ${run.ms} ms (${run.line ?? run.why})\n`) });
    const wrong = r.runs.filter((x) => !x.ok).map((x) => `${x.kind} ${x.rule}/${x.test}: ${x.verdict} (${x.line ?? x.why})`);
    expect(wrong).toEqual([]);
    expect(r.summary.proven).toBe(claimsFor('x86_64').length);
    expect(r.proving.auditFailures.map((f) => f.split(':')[0])).toEqual(['no-debugfs']);
    expect(r.ok).toBe(true);
    process.stderr.write(`prove e2e: ${r.summary.proven}/${r.summary.claimed} proven in ${r.totalMs} ms\n`);
  });
});
