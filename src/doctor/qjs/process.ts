import { NodeBuffer, bufferFrom } from './buffer.ts';
import { native } from './native.ts';

// The part of Node's `process` the doctor uses, installed as globals with Buffer.

const write = (fd: number) => (text: string | Uint8Array) => {
  native.write(fd, typeof text === 'string' ? bufferFrom(text) : text);
  return true;
};

const capsemProcess = {
  // node's argv: [runtime, bundle, ...the doctor's arguments]
  argv: native.argv,
  arch: native.arch,
  pid: native.getpid(),
  env: {} as Record<string, string>,
  exitCode: undefined as number | undefined,
  stdout: { write: write(1) },
  stderr: { write: write(2) },
  hrtime: { bigint: () => BigInt(Math.round(native.clockMs() * 1e6)) },
};

const g = globalThis as Record<string, unknown>;
g.process = capsemProcess;
g.Buffer = NodeBuffer;
