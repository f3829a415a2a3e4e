// The doctor's own cost: the whole suite against the passing in-memory guest,
// N times, as JSON (median and p90 of the suite's wall time, per-check medians).
// The in-guest figure (node start-up, real /proc, the probe) comes from the
// report's `ms` on a real boot (bench/boot.ts); this isolates the checks' logic.
//
//   npx vite-node bench/doctor.ts [--n 200] [--arch x86_64|arm64]
import { parseArgs } from 'node:util';
import { ALL_CHECKS } from '../src/doctor/registry.ts';
import { runDoctor } from '../src/doctor/runner.ts';
import { isArch } from '../src/policy/index.ts';
import { fakeEnv } from '../test/doctor/helpers/fake-guest.ts';
import { healthyGuest } from '../test/doctor/helpers/healthy-guest.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '200' }, arch: { type: 'string', default: 'x86_64' } } });
const n = Number(values.n);
if (!Number.isInteger(n) || n < 1 || !isArch(values.arch!)) {
  process.stderr.write('usage: bench/doctor.ts [--n N] [--arch x86_64|arm64]\n');
  process.exit(2);
}
const arch = values.arch;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
const round = (x: number) => Math.round(x * 1000) / 1000;

const fixture = healthyGuest(arch);
const suite: number[] = [];
const perCheck = new Map<string, number[]>();
for (let i = 0; i < n; i++) {
  const report = runDoctor(fakeEnv(fixture), ALL_CHECKS);
  if (!report.healthy) throw new Error('bench/doctor: the healthy fixture is not healthy');
  suite.push(report.ms);
  for (const c of report.checks) perCheck.set(c.name, [...(perCheck.get(c.name) ?? []), c.ms]);
}
const slowest = [...perCheck].map(([name, ms]) => ({ name, medianMs: round(quantile(ms, 0.5)) })).sort((a, b) => b.medianMs - a.medianMs);
process.stdout.write(
  JSON.stringify(
    {
      bench: 'doctor-suite',
      dimensions: { arch, fixture: 'healthy-in-memory', checks: ALL_CHECKS.length, node: process.version },
      n,
      medianMs: round(quantile(suite, 0.5)),
      p90Ms: round(quantile(suite, 0.9)),
      slowestChecks: slowest.slice(0, 5),
    },
    null,
    2,
  ) + '\n',
);
