// The doctor's own cost, as JSON. Two modes:
//   in memory (default): the whole suite against the passing in-memory guest,
//     N times (median and p90 of the suite's wall time, per-check medians):
//     the checks' logic alone.
//   --guest: N boots of the real guest (policy kernel, real images, TCG or KVM
//     as `up` picks): the doctor's in-guest wall time (init starts it -> the
//     verdict frame leaves: runtime cold start, the real /proc, the probe, the
//     hashing of its own files) and the report's own `ms` (the checks).
//   --instructions: the image's capsem-doctor-rt and bytecode (host arch) under
//     valgrind's callgrind, instructions executed: the whole run on the healthy
//     fixture (--root) and its start-up alone (--help: reading the bytecode and
//     the bundle's top level). Deterministic where wall time on this machine is
//     not (+-30%), and what TCG's time follows: use it to compare two trees.
//     The probe runs as a child (not counted): valgrind cannot run its raw bpf call;
//     it asks the host's kernel, so the checks of what the host has (bpf, i386
//     exec, io_uring) fail there: a figure to compare, not a healthy run.
//
//   npx vite-node bench/doctor.ts [--n 200] [--arch x86_64|arm64] [--guest | --instructions] [--top 5]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hostArch } from '../src/doctor/env.ts';
import { ALL_CHECKS } from '../src/doctor/registry.ts';
import { runDoctor } from '../src/doctor/runner.ts';
import { doctorBytecode, doctorRuntime, probeBinary } from '../src/guest/runtime.ts';
import { isArch } from '../src/policy/index.ts';
import { fakeEnv } from '../test/doctor/helpers/fake-guest.ts';
import { healthyGuest } from '../test/doctor/helpers/healthy-guest.ts';
import { runOnFixture } from '../test/doctor/helpers/on-disk.ts';
import { bootVariant } from '../test/guest/e2e-kit.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string' },
    arch: { type: 'string', default: 'x86_64' },
    guest: { type: 'boolean', default: false },
    instructions: { type: 'boolean', default: false },
    top: { type: 'string', default: '5' },
  },
});
const n = Number(values.n ?? (values.guest ? '3' : values.instructions ? '1' : '200'));
const top = Number(values.top);
if (!Number.isInteger(n) || n < 1 || !Number.isInteger(top) || top < 1 || !isArch(values.arch!)) {
  process.stderr.write('usage: bench/doctor.ts [--n N] [--arch x86_64|arm64] [--guest | --instructions] [--top N]\n');
  process.exit(2);
}
const arch = values.arch;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
const round = (x: number) => Math.round(x * 1000) / 1000;

/** Per-check medians, slowest first. */
function slowest(perCheck: Map<string, number[]>) {
  return [...perCheck].map(([name, ms]) => ({ name, medianMs: round(quantile(ms, 0.5)) })).sort((a, b) => b.medianMs - a.medianMs).slice(0, top);
}

if (values.instructions) await instructions();

const suite: number[] = [];
const inGuest: number[] = [];
/** The guest's split of the doctor's phase (src/guest/timings.ts: doctorProcess, runtimeReady, checks, send, doctorRun). */
const phases = new Map<string, number[]>();
const perCheck = new Map<string, number[]>();
for (let i = 0; i < n; i++) {
  let report;
  if (values.guest) {
    const r = await bootVariant(arch);
    if (!r.healthy || !r.report) throw new Error(`bench/doctor: boot ${i + 1} unhealthy: ${r.reason}`);
    report = r.report;
    const p = r.timings.phases ?? {};
    if (p.doctor !== undefined) inGuest.push(p.doctor);
    for (const k of ['doctorProcess', 'runtimeReady', 'checks', 'send', 'doctorRun'] as const) {
      if (p[k] !== undefined) phases.set(k, [...(phases.get(k) ?? []), p[k]]);
    }
    process.stderr.write(
      `bench/doctor: boot ${i + 1}/${n}: doctor ${p.doctor ?? '?'} ms in the guest (runtime ready ${p.runtimeReady ?? '?'}, ` +
        `first line -> frame sent ${p.doctorRun ?? '?'}), checks ${report.ms} ms\n`,
    );
  } else {
    report = runDoctor(fakeEnv(healthyGuest(arch)), ALL_CHECKS);
    if (!report.healthy) throw new Error('bench/doctor: the healthy fixture is not healthy');
  }
  suite.push(report.ms);
  for (const c of report.checks) perCheck.set(c.name, [...(perCheck.get(c.name) ?? []), c.ms]);
}
process.stdout.write(
  JSON.stringify(
    {
      bench: values.guest ? 'doctor-in-guest' : 'doctor-suite',
      dimensions: { arch, fixture: values.guest ? 'real guest (policy kernel)' : 'healthy-in-memory', checks: ALL_CHECKS.length, node: process.version },
      n,
      medianMs: round(quantile(suite, 0.5)),
      p90Ms: round(quantile(suite, 0.9)),
      ...(values.guest && inGuest.length ? { inGuestMedianMs: round(quantile(inGuest, 0.5)), inGuestMs: inGuest } : {}),
      ...(phases.size ? { phaseMedianMs: Object.fromEntries([...phases].map(([k, v]) => [k, round(quantile(v, 0.5))])) } : {}),
      slowestChecks: slowest(perCheck),
    },
    null,
    2,
  ) + '\n',
);

/** Instructions of `cmd` under callgrind (valgrind's own count, "I refs"). */
async function callgrind(
  scratch: string,
  cmd: string[],
  run: (c: string[]) => Promise<{ status: number | null; stderr: string }> | { status: number | null; stderr: string },
): Promise<number> {
  const r = await run(['valgrind', '--tool=callgrind', `--callgrind-out-file=${join(scratch, 'cg.out')}`, ...cmd]);
  const m = /I\s+refs:\s+([\d,]+)/.exec(r.stderr);
  if (!m) throw new Error(`bench/doctor: callgrind gave no count (status ${r.status}): ${r.stderr.slice(-400)}`);
  return Number(m[1]!.replaceAll(',', ''));
}

async function instructions(): Promise<never> {
  const host = hostArch();
  if (spawnSync('valgrind', ['--version']).error) {
    process.stderr.write('bench/doctor: --instructions needs valgrind (apt-get install valgrind)\n');
    process.exit(2);
  }
  if (arch !== host) {
    process.stderr.write(`bench/doctor: --instructions runs the runtime natively: --arch must be the host's (${host ?? process.arch})\n`);
    process.exit(2);
  }
  const [rt, bc, probe] = await Promise.all([doctorRuntime(arch), doctorBytecode(), probeBinary(arch)]);
  const scratch = mkdtempSync(join(tmpdir(), 'capsem-bench-doctor-'));
  const cleanup: (() => void)[] = [() => rmSync(scratch, { recursive: true, force: true })];
  try {
    const startup = await callgrind(scratch, [rt.path, bc.path, '--help'], (c) => spawnSync(c[0]!, c.slice(1), { encoding: 'utf8' }));
    const runs: number[] = [];
    for (let i = 0; i < n; i++) runs.push(await callgrind(scratch, [rt.path, bc.path, '--probe', probe.path, '--quiet'], (c) => runOnFixture(arch, c, cleanup)));
    process.stdout.write(
      JSON.stringify(
        {
          bench: 'doctor-instructions',
          dimensions: { arch, fixture: 'healthy-on-disk (--root)', checks: ALL_CHECKS.length, runtime: rt.origin, bytecodeBytes: readFileSync(bc.path).length },
          n,
          startupInstructions: startup,
          runInstructions: quantile(runs, 0.5),
          runs,
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    for (const c of cleanup) c();
  }
  process.exit(0);
}
