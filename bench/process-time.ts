import { spawnSync } from 'node:child_process';

/** Wall-clock ms of one whole `node ARGV...` process; throws unless it exits with `expect` (a good run's code). */
export function timeProcess(argv: string[], expect: number): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== expect) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr.toString().trim().split('\n').at(-1)}`);
  return ms;
}
