import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ELF_EXIT_CODE, type ElfIsa, ISA_BY_ARCH, exitElf } from '../../src/doctor/elf.ts';

const dir = mkdtempSync(join(tmpdir(), 'capsem-elf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(isa: ElfIsa): string {
  const p = join(dir, isa);
  writeFileSync(p, exitElf(isa));
  chmodSync(p, 0o755);
  return p;
}

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

describe('generated ELF executables', () => {
  it.each<[ElfIsa, number, number]>([
    ['x86_64', 2, 62],
    ['i386', 1, 3],
    ['aarch64', 2, 183],
    ['aarch32', 1, 40],
  ])('%s: class %i, machine %i, ET_EXEC, one PT_LOAD', (isa, cls, machine) => {
    const b = exitElf(isa);
    expect(b.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    expect(b[4]).toBe(cls);
    expect(b.readUInt16LE(16)).toBe(2);
    expect(b.readUInt16LE(18)).toBe(machine);
  });

  it('pairs each arch with its native and its 32-bit instruction set', () => {
    expect(ISA_BY_ARCH).toEqual({ x86_64: { native: 'x86_64', legacy32: 'i386' }, arm64: { native: 'aarch64', legacy32: 'aarch32' } });
  });

  // Real execution where this machine can: the host kernel, or qemu-user if installed.
  it.runIf(process.arch === 'x64')('x86_64 runs and exits 42 on this host', () => {
    expect(spawnSync(write('x86_64')).status).toBe(ELF_EXIT_CODE);
  });
  it.runIf(has('qemu-aarch64'))('aarch64 exits 42 under qemu-aarch64', () => {
    expect(spawnSync('qemu-aarch64', [write('aarch64')]).status).toBe(ELF_EXIT_CODE);
  });
  it.runIf(has('qemu-arm'))('AArch32 exits 42 under qemu-arm', () => {
    expect(spawnSync('qemu-arm', [write('aarch32')]).status).toBe(ELF_EXIT_CODE);
  });
  it.runIf(has('qemu-i386'))('i386 exits 42 under qemu-i386', () => {
    expect(spawnSync('qemu-i386', [write('i386')]).status).toBe(ELF_EXIT_CODE);
  });
});
