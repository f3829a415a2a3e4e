import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import type { UpJson } from '../../src/cli/commands/up.ts';
import { ARCHS, type Arch } from '../../src/policy/index.ts';
import { claimsFor, prove, readProofRecord } from '../../src/prove/index.ts';
import { captureIO } from '../helpers/io.ts';

// The proof end to end: the proving and weakened kernels (cached builds after
// the first; the weakened one is the mutation suite's too), one TCG boot per
// claimed LKDTM test on each. Every claimed attack must be blocked on the
// proving kernel and get through on the weakened one; a failure names the
// test, the verdict and the deciding line. Then `up` must show that proof for
// the shipped kernel. Boot times go to the report (stderr), never into an assertion.

// x86_64 by default; CAPSEM_PROVE_ARCHS=x86_64,arm64 adds arm64 (two more kernel
// compiles when cold, one boot per claim and control), as CAPSEM_MUTANT_ARCHS does.
const PROVE_ARCHS = (process.env.CAPSEM_PROVE_ARCHS ?? 'x86_64')
  .split(',')
  .filter((a): a is Arch => (ARCHS as readonly string[]).includes(a));

describe.each(PROVE_ARCHS)('prove (%s)', (arch) => {
  it('every claimed attack is blocked, every control lets it through, and up shows the proof', async () => {
    const r = await prove({ arch, onRun: (run) => process.stderr.write(`prove e2e ${arch}: ${run.kind} ${run.test}: ${run.verdict} in ${run.ms} ms (${run.line ?? run.why})\n`) });
    const wrong = r.runs.filter((x) => !x.ok).map((x) => `${x.kind} ${x.rule}/${x.test}: ${x.verdict} (${x.line ?? x.why})`);
    expect(wrong).toEqual([]);
    expect(r.summary.proven).toBe(claimsFor(arch).length);
    expect(r.summary.controls).toBe(claimsFor(arch).length);
    expect(r.proving.auditFailures.map((f) => f.split(':')[0])).toEqual(['no-debugfs']);
    expect(r.ok).toBe(true);
    process.stderr.write(`prove e2e ${arch}: ${r.summary.proven}/${r.summary.claimed} proven in ${r.totalMs} ms\n`);

    expect(readProofRecord(r.shipped.sha256)?.summary).toEqual(r.summary);
    const io = captureIO();
    io.env = process.env;
    const code = await run(['up', '--arch', arch, '--json'], io);
    expect(code, io.err).toBe(0);
    const up = JSON.parse(io.out) as UpJson;
    expect(up.kernel.sha256).toBe(r.shipped.sha256);
    expect(up.proof?.summary).toEqual(r.summary);
    expect(io.err).toContain(`  proof     PROVEN: ${r.summary.proven}/${r.summary.claimed} claimed attacks blocked`);
  });
});
