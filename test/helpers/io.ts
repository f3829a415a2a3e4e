import type { IO } from '../../src/cli/command.ts';

/** An IO that records stdout/stderr, for calling run(argv) in tests. */
export function captureIO(): IO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout(t: string) {
      io.out += t;
    },
    stderr(t: string) {
      io.err += t;
    },
    isTTY: false,
    env: {},
    cwd: process.cwd(),
    signal: new AbortController().signal,
  };
  return io;
}
