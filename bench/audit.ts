// Whole-process cost of `capsem-kernel audit` on Debian's full amd64 config
// (~11k lines, xz-compressed): node start-up, bundle load, xz, parse, audit,
// JSON output. Run `npm run build` first. Prints JSON: {median, p90, n} in ms.
//
//   npx vite-node bench/audit.ts [--n 20] [--config FILE]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '20' },
    config: { type: 'string', default: '/usr/src/linux-config-6.12/config.amd64_none_amd64.xz' },
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
/** One whole process; `expect` is the exit code a good run has. */
const time = (argv: string[], expect: number) => (): number => {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== expect) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr.toString().trim()}`);
  return ms;
};
const quantile = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]!;
const round = (x: number) => Math.round(x * 10) / 10;
const sample = (f: () => number) => {
  f(); // warm the page cache
  return Array.from({ length: n }, f).sort((a, b) => a - b);
};

// Exit 1 is the expected verdict: Debian's kernel fails the policy.
const audit = sample(time(AUDIT, 1));
// The same machine's bare `node -e 0`, so the figure can be read on a loaded host.
const node = sample(time(['-e', '0'], 0));
process.stdout.write(
  JSON.stringify({
    bench: 'audit',
    config,
    n,
    median: round(quantile(audit, 0.5)),
    p90: round(quantile(audit, 0.9)),
    nodeStartupMedian: round(quantile(node, 0.5)),
    unit: 'ms',
  }) + '\n',
);
