// A fleet audit in one process vs one process per config, same run, same
// configs: every real config in test/fixtures/real-configs/ (Firecracker's and
// libkrunfw's guests) plus Debian's linux-config-6.12 (*.xz), evaluated with the
// build cache's Kconfig trees where it has them (6.1, 6.12), and text-only.
// Whole-process wall time: node start-up, bundle load, xz, parse, Kconfig tree
// parse (once per series and arch in the fleet; once per config otherwise),
// evaluation, audit, JSON output. Run `npm run build` first.
// Prints JSON: medians in ms and configs per second.
//
//   npx vite-node bench/fleet-audit.ts [--n 3]
import { timeProcess } from './process-time.ts';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { n: { type: 'string', default: '3' } } });
const n = Number(values.n);
if (!Number.isInteger(n) || n < 1) {
  process.stderr.write('usage: bench/fleet-audit.ts [--n N]\n');
  process.exit(2);
}
if (!existsSync('dist/capsem-kernel.js')) {
  process.stderr.write('bench/fleet-audit: dist/ missing; run `npm run build` first\n');
  process.exit(2);
}
const DEBIAN = '/usr/src/linux-config-6.12';
if (!existsSync(DEBIAN)) {
  process.stderr.write(`bench/fleet-audit: ${DEBIAN} missing (apt-get install linux-config-6.12)\n`);
  process.exit(2);
}
const REAL = 'test/fixtures/real-configs';
const configs = [
  ...readdirSync(REAL).filter((f) => f !== 'README.md').map((f) => join(REAL, f)),
  ...readdirSync(DEBIAN).filter((f) => f.endsWith('.xz')).map((f) => join(DEBIAN, f)),
].sort();

/** One whole audit process; every config here fails the policy, so a good run exits 1. */
const time = (args: string[]): number => timeProcess(['bin/capsem-kernel.js', 'audit', ...args, '--format', 'json'], 1);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const round = (x: number) => Math.round(x);

function compare(extra: string[]) {
  const fleet = configs.flatMap((c) => ['--config', c]);
  time([...fleet, ...extra]); // warm the page cache and the toolchain probe cache
  const one: number[] = [];
  const each: number[] = [];
  for (let i = 0; i < n; i++) {
    one.push(time([...fleet, ...extra]));
    each.push(configs.reduce((sum, c) => sum + time(['--config', c, ...extra]), 0));
  }
  const oneProcessMs = median(one);
  const processEachMs = median(each);
  return {
    oneProcessMs: round(oneProcessMs),
    processEachMs: round(processEachMs),
    speedup: Math.round((processEachMs / oneProcessMs) * 100) / 100,
    configsPerSecond: Math.round((configs.length / (oneProcessMs / 1000)) * 10) / 10,
    configsPerSecondProcessEach: Math.round((configs.length / (processEachMs / 1000)) * 10) / 10,
  };
}

const evaluated = compare([]);
const textOnly = compare(['--text-only']);
process.stdout.write(JSON.stringify({ bench: 'fleet-audit', configs: configs.length, files: configs, n, evaluated, textOnly }, null, 2) + '\n');
