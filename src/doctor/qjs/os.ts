import type { ProbeCalls } from '../env.ts';
import { native } from './native.ts';

// node:os for the doctor's QuickJS bundle: errno numbers and the scratch directory,
// and (not node's) capsem-probe's calls as natives of this process.
export const constants = { errno: native.errno };
export const tmpdir = () => '/tmp';

const ERRNO_NAMES = new Map(Object.entries(native.errno).map(([name, n]) => [n, name]));

export const capsemProbeCalls: ProbeCalls = {
  syscall: (name) => native.probeSyscall(name),
  // The probe's `exec` is execve in a child: the runtime's spawn is one (execve, empty environment, no PATH, no sh retry).
  exec(path, timeoutMs) {
    let r;
    try {
      r = native.spawnSync(path, [], null, timeoutMs);
    } catch (e) {
      const errno = -((e as { errno?: number }).errno ?? 0);
      if (errno > 0) return { kind: 'refused', errno };
      throw e;
    }
    if (r.timedOut) throw new Error(`exec ${path}: no exit within ${timeoutMs} ms`);
    return { kind: 'ran', exitCode: r.status, signal: r.signal };
  },
  cpu: () => Object.fromEntries(native.probeCpu().map(([name, on]) => [name, on === 1])),
  fileCaps(paths) {
    const answers = native.probeFileCaps(paths);
    return {
      withCaps: answers.filter(([, e]) => e === 0).map(([p]) => p),
      unreadable: answers.filter(([, e]) => e !== 0).map(([path, e]) => ({ path, code: ERRNO_NAMES.get(e) ?? `errno ${e}` })),
    };
  },
};
