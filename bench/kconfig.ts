// The Kconfig engine's cost: parse + finalise one arch's whole tree, then
// evaluate allnoconfig + the policy fragment, N times, as JSON (median and
// p90 of the total, plus each phase's median). The compiler probes
// ($(shell,...)) are answered from the per-toolchain cache, warmed by a first
// untimed run, so this measures the engine, not gcc. Wall-clock medians; the
// parse's CPU time too, since a busy machine inflates wall time.
//
//   npx vite-node bench/kconfig.ts [--n 10] [--arch x86_64|arm64] [--kernel 6.12|6.1]
import { parseArgs } from 'node:util';
import { parseDotConfig } from '../src/kconfig/dotconfig.ts';
import { assignmentsOf, evaluate } from '../src/kconfig/evaluate.ts';
import { renderFragment } from '../src/kconfig/fragment.ts';
import { loadKconfigTree } from '../src/kconfig/tree.ts';
import { isArch, isKernelVersion } from '../src/policy/index.ts';
import { kernelSource } from '../test/kconfig/kernel-ref.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '10' },
    arch: { type: 'string', default: 'x86_64' },
    kernel: { type: 'string', default: '6.12' },
  },
});
const n = Number(values.n);
const arch = values.arch!;
const kernel = values.kernel!;
if (!Number.isInteger(n) || n < 1 || !isArch(arch) || !isKernelVersion(kernel)) {
  process.stderr.write('usage: bench/kconfig.ts [--n N] [--arch x86_64|arm64] [--kernel 6.12|6.1]\n');
  process.exit(2);
}
const srcDir = kernelSource(kernel);
if (!srcDir) {
  process.stderr.write(`bench/kconfig: no unpacked linux-source-${kernel} under the cache (run npm run setup)\n`);
  process.exit(2);
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
const round = (x: number) => Math.round(x * 10) / 10;

const fragment = assignmentsOf(parseDotConfig(renderFragment({ arch, kernel, toolchain: 'gcc' }), 'policy fragment'));
loadKconfigTree({ srcDir, arch }); // warms the probe cache (and the JIT)

const parse: number[] = [];
const parseCpu: number[] = [];
const evaluation: number[] = [];
const total: number[] = [];
let symbols = 0;
let files = 0;
for (let i = 0; i < n; i++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const tree = loadKconfigTree({ srcDir, arch });
  const c1 = process.cpuUsage(c0);
  const t1 = performance.now();
  const ev = evaluate(tree, { mode: 'allnoconfig', fragment });
  ev.values();
  const t2 = performance.now();
  parse.push(t1 - t0);
  parseCpu.push((c1.user + c1.system) / 1000);
  evaluation.push(t2 - t1);
  total.push(t2 - t0);
  symbols = tree.symbols.size;
  files = tree.files.length;
}
process.stdout.write(
  JSON.stringify(
    {
      bench: 'kconfig-parse-evaluate',
      dimensions: { arch, kernel, start: 'allnoconfig+policy', files, symbols, node: process.version },
      n,
      medianMs: round(quantile(total, 0.5)),
      p90Ms: round(quantile(total, 0.9)),
      parseMedianMs: round(quantile(parse, 0.5)),
      // CPU time of this process: on a shared machine, wall time includes waiting for a core.
      parseCpuMedianMs: round(quantile(parseCpu, 0.5)),
      evaluateMedianMs: round(quantile(evaluation, 0.5)),
    },
    null,
    2,
  ) + '\n',
);
