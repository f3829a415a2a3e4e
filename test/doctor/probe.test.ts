import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELF_EXIT_CODE, exitElf } from '../../src/doctor/elf.ts';
import { PROBE_SYSCALLS, ProbeError, errnoNumber, hostArch, hostProbe } from '../../src/doctor/env.ts';
import { probeBinary } from '../../src/guest/runtime.ts';

// The real probe, built by its own build.sh for this host (static, against Debian's musl-dev), driven by the doctor's host side.
const arch = hostArch();
const hasCc = spawnSync('sh', ['-c', 'command -v gcc']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'capsem-probe-test-'));
let probe: string;

beforeAll(async () => {
  if (arch && hasCc) probe = (await probeBinary(arch)).path;
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

describe.runIf(arch && hasCc)('capsem-probe (real, static, this host)', () => {
  it('answers every syscall in one process; getpid is that process', () => {
    const p = hostProbe(probe);
    const pid = p.syscall('getpid');
    expect(pid).toMatchObject({ ret: pid.pid, errno: 0 });
    for (const n of PROBE_SYSCALLS) expect(p.syscall(n).pid).toBe(pid.pid);
    // Harmless arguments: whatever the host kernel has, each call fails (x32 getpid answers a pid where the host has x32).
    for (const n of PROBE_SYSCALLS.filter((n) => n !== 'getpid' && n !== 'x32_getpid')) expect(p.syscall(n).ret, n).toBe(-1);
  });

  it('fcaps: names the files it could not ask, and only files with a capability', () => {
    const f = join(dir, 'plain');
    writeFileSync(f, 'x');
    expect(hostProbe(probe).fileCaps([f, join(dir, 'absent')])).toEqual({ withCaps: [], unreadable: [{ path: join(dir, 'absent'), code: 'ENOENT' }] });
  });

  it('exec: a native ELF runs (exit 42); a missing file is refused with ENOENT; a script without #! is ENOEXEC, not run by sh', () => {
    const native = join(dir, 'native');
    writeFileSync(native, exitElf(arch === 'arm64' ? 'aarch64' : 'x86_64'));
    chmodSync(native, 0o755);
    const p = hostProbe(probe);
    expect(p.exec(native)).toEqual({ kind: 'ran', exitCode: ELF_EXIT_CODE, signal: null });
    expect(p.exec(join(dir, 'nope'))).toEqual({ kind: 'refused', errno: errnoNumber('ENOENT') });
    const text = join(dir, 'text');
    writeFileSync(text, 'exit 42\n');
    chmodSync(text, 0o755);
    expect(p.exec(text)).toEqual({ kind: 'refused', errno: errnoNumber('ENOEXEC') });
  });

  it('usage errors exit 2 before any syscall', () => {
    expect(spawnSync(probe, ['syscall', 'getpid', 'reboot']).status).toBe(2);
    expect(spawnSync(probe, ['syscall', 'getpid', 'reboot']).stdout.length).toBe(0);
    expect(spawnSync(probe, []).status).toBe(2);
  });
});

describe('probe answers the doctor does not trust', () => {
  it.each([
    ['a missing binary', () => join(dir, 'missing'), /ENOENT/],
    ['too few lines', () => script('short', 'echo "1 0"'), /output/],
    ['garbage', () => script('garbage', 'echo hello'), /output/],
    ['a non-zero exit', () => script('fails', `for i in ${PROBE_SYSCALLS.map(() => 'x').join(' ')}; do echo "-1 38"; done; exit 3`), /exit 3/],
  ])('%s is a ProbeError', (_, make, message) => {
    const p = hostProbe(make());
    expect(() => p.syscall('bpf')).toThrow(ProbeError);
    expect(() => hostProbe(make()).syscall('bpf')).toThrow(message);
  });
});
