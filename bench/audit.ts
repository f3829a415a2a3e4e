// Whole-process cost of `capsem-kernel audit` on Debian's full amd64 config
// (~11k lines, xz-compressed): node start-up, bundle load, xz, parse, audit,
// JSON output; text-only (--text-only) and evaluated (the build cache's 6.12
// tree parsed and the file evaluated as olddefconfig). With --baseline BUNDLE
// the same text audit by another bundle (e.g. an older checkout's
// bin/capsem-kernel.js) is timed in the same run. Run `npm run build` first.
// Prints JSON: medians and p90s in ms.
//
//   npx vite-node bench/audit.ts [--n 20] [--config FILE] [--baseline BUNDLE]
import { timeProcess } from './process-time.ts';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

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
const quantile = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]!;
const round = (x: number) => Math.round(x * 10) / 10;
const sample = (f: () => number) => {
  f(); // warm the page cache
  return Array.from({ length: n }, f).sort((a, b) => a - b);
};

// Exit 1 is the expected verdict: Debian's kernel fails the policy.
const textOnly = sample(time([...AUDIT, '--text-only'], 1));
const evaluated = sample(time(AUDIT, 1));
const baseline = values.baseline ? sample(time([values.baseline, ...AUDIT.slice(1)], 1)) : undefined;
// The same machine's bare `node -e 0`, so the figure can be read on a loaded host.
const node = sample(time(['-e', '0'], 0));
process.stdout.write(
  JSON.stringify({
    bench: 'audit',
    config,
    n,
    textOnlyMedian: round(quantile(textOnly, 0.5)),
    textOnlyP90: round(quantile(textOnly, 0.9)),
    evaluatedMedian: round(quantile(evaluated, 0.5)),
    evaluatedP90: round(quantile(evaluated, 0.9)),
    ...(baseline ? { baseline: values.baseline, baselineMedian: round(quantile(baseline, 0.5)) } : {}),
    nodeStartupMedian: round(quantile(node, 0.5)),
    unit: 'ms',
  }) + '\n',
);
