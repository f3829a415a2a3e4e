// Whole-process cost of `capsem-kernel audit` on Debian's full amd64 config
// (~11k lines, xz-compressed): node start-up, bundle load, xz, parse, audit,
// JSON output; text-only (--text-only) and evaluated (the build cache's 6.12
// tree parsed and the file evaluated as olddefconfig). With --baseline BUNDLE
// the same two audits by another bundle (e.g. an older checkout's
// bin/capsem-kernel.js) are timed in the same run, interleaved. Run `npm run
// build` first. Prints JSON: medians and p90s in ms, and the ratios issue #11
// asks about (evaluated / text-only; each against the baseline's). The
// baseline gets its own cache root (sources/ linked to the real one's): the
// tree cache keeps one engine's entry per tree, so two bundles sharing
// kconfig-tree/ would each reparse on every run.
//
//   npx vite-node bench/audit.ts [--n 20] [--config FILE] [--baseline BUNDLE]
import { timeProcess } from './process-time.ts';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cacheRoot } from '../src/util/paths.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '20' },
    config: { type: 'string', default: '/usr/src/linux-config-6.12/config.amd64_none_amd64.xz' },
    baseline: { type: 'string' },
  },
});
const n = Number(values.n);
const config = values.config!;
if (!Number.isInteger(n) || n < 1) {
  process.stderr.write('usage: bench/audit.ts [--n N] [--config FILE]\n');
  process.exit(2);
}
if (!existsSync('dist/capsem-kernel.js')) {
  process.stderr.write('bench/audit: dist/ missing; run `npm run build` first\n');
  process.exit(2);
}
if (!existsSync(config)) {
  process.stderr.write(`bench/audit: ${config} missing (apt-get install linux-config-6.12)\n`);
  process.exit(2);
}

const AUDIT = ['bin/capsem-kernel.js', 'audit', '--config', config, '--format', 'json'];
const time = (argv: string[], expect: number) => (): number => timeProcess(argv, expect);
/** The same run with CAPSEM_CACHE_DIR=root (spawnSync inherits process.env as it is at the call). */
const inCache = (root: string, run: () => number) => (): number => {
  const saved = process.env.CAPSEM_CACHE_DIR;
  process.env.CAPSEM_CACHE_DIR = root;
  try {
    return run();
  } finally {
    if (saved === undefined) delete process.env.CAPSEM_CACHE_DIR;
    else process.env.CAPSEM_CACHE_DIR = saved;
  }
};
const baselineCache = values.baseline ? mkdtempSync(join(tmpdir(), 'capsem-bench-audit-')) : undefined;
if (baselineCache) {
  mkdirSync(baselineCache, { recursive: true });
  symlinkSync(join(cacheRoot(), 'sources'), join(baselineCache, 'sources'));
  process.on('exit', () => rmSync(baselineCache, { recursive: true, force: true }));
}
const quantile = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]!;
const round = (x: number) => Math.round(x * 10) / 10;
const ratio = (a: number[], b: number[]) => Math.round((quantile(a, 0.5) / quantile(b, 0.5)) * 100) / 100;
/** Each run n times, round-robin (a load that changes during the run hits every figure alike), sorted. */
function sample(runs: Record<string, () => number>): Record<string, number[]> {
  const keys = Object.keys(runs);
  for (const k of keys) runs[k]!(); // warm the page cache
  const out: Record<string, number[]> = Object.fromEntries(keys.map((k) => [k, []]));
  for (let i = 0; i < n; i++) for (const k of keys) out[k]!.push(runs[k]!());
  for (const k of keys) out[k]!.sort((a, b) => a - b);
  return out;
}

// Exit 1 is the expected verdict: Debian's kernel fails the policy.
const other = values.baseline ? [values.baseline, ...AUDIT.slice(1)] : undefined;
const runs = sample({
  textOnly: time([...AUDIT, '--text-only'], 1),
  evaluated: time(AUDIT, 1),
  ...(other && baselineCache
    ? { baseTextOnly: inCache(baselineCache, time([...other, '--text-only'], 1)), baseEvaluated: inCache(baselineCache, time(other, 1)) }
    : {}),
  // The same machine's bare `node -e 0`, so the figure can be read on a loaded host.
  node: time(['-e', '0'], 0),
});
const [textOnly, evaluated, node] = [runs.textOnly!, runs.evaluated!, runs.node!];
const baseline = other && { textOnly: runs.baseTextOnly!, evaluated: runs.baseEvaluated! };
process.stdout.write(
  JSON.stringify({
    bench: 'audit',
    config,
    n,
    textOnlyMedian: round(quantile(textOnly, 0.5)),
    textOnlyP90: round(quantile(textOnly, 0.9)),
    evaluatedMedian: round(quantile(evaluated, 0.5)),
    evaluatedP90: round(quantile(evaluated, 0.9)),
    evaluatedOverTextOnly: ratio(evaluated, textOnly),
    ...(baseline
      ? {
          baseline: values.baseline,
          baselineTextOnlyMedian: round(quantile(baseline.textOnly, 0.5)),
          baselineEvaluatedMedian: round(quantile(baseline.evaluated, 0.5)),
          textOnlyOverBaseline: ratio(textOnly, baseline.textOnly),
          evaluatedOverBaselineEvaluated: ratio(evaluated, baseline.evaluated),
          evaluatedOverBaselineTextOnly: ratio(evaluated, baseline.textOnly),
        }
      : {}),
    nodeStartupMedian: round(quantile(node, 0.5)),
    unit: 'ms',
  }) + '\n',
);
