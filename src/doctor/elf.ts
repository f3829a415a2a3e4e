// Minimal static ELF executables, generated as bytes: each is one PT_LOAD
// segment whose code calls exit(42). The doctor runs them through the probe
// to prove which instruction sets the kernel will execute. Exit code 42 (and
// not just "exec succeeded") shows the program really ran.

import type { Arch } from '../policy/index.ts';

export const ELF_EXIT_CODE = 42;

interface ElfSpec {
  bits: 32 | 64;
  machine: number;
  flags: number;
  base: number;
  code: number[];
}

// exit(42) for each instruction set, as the kernel's own ABI wants it.
const SPECS = {
  // mov edi, 42; mov eax, 60 (exit); syscall
  x86_64: { bits: 64, machine: 62, flags: 0, base: 0x400000, code: [0xbf, 42, 0, 0, 0, 0xb8, 60, 0, 0, 0, 0x0f, 0x05] },
  // mov x0, #42; mov x8, #93 (exit); svc #0
  aarch64: { bits: 64, machine: 183, flags: 0, base: 0x400000, code: words([0xd2800540, 0xd2800ba8, 0xd4000001]) },
  // mov ebx, 42; mov eax, 1 (exit); int 0x80
  i386: { bits: 32, machine: 3, flags: 0, base: 0x08048000, code: [0xbb, 42, 0, 0, 0, 0xb8, 1, 0, 0, 0, 0xcd, 0x80] },
  // mov r0, #42; mov r7, #1 (exit); svc #0 — EABI version 5
  aarch32: { bits: 32, machine: 40, flags: 0x05000000, base: 0x10000, code: words([0xe3a0002a, 0xe3a07001, 0xef000000]) },
} satisfies Record<string, ElfSpec>;

export type ElfIsa = keyof typeof SPECS;

/** The guest's native instruction set, and the 32-bit one it must refuse. */
export const ISA_BY_ARCH: Record<Arch, { native: ElfIsa; legacy32: ElfIsa }> = {
  x86_64: { native: 'x86_64', legacy32: 'i386' },
  arm64: { native: 'aarch64', legacy32: 'aarch32' },
};

function words(ws: number[]): number[] {
  const b = Buffer.alloc(ws.length * 4);
  ws.forEach((w, i) => b.writeUInt32LE(w, i * 4));
  return [...b];
}

/** A little-endian ELF executable (ET_EXEC) that exits with ELF_EXIT_CODE. */
export function exitElf(isa: ElfIsa): Buffer {
  const s: ElfSpec = SPECS[isa];
  const ehSize = s.bits === 64 ? 64 : 52;
  const phSize = s.bits === 64 ? 56 : 32;
  const codeOff = ehSize + phSize;
  const total = codeOff + s.code.length;
  const b = Buffer.alloc(total);
  // e_ident: magic, class, little-endian, version 1, System V ABI
  b.set([0x7f, 0x45, 0x4c, 0x46, s.bits === 64 ? 2 : 1, 1, 1, 0], 0);
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(s.machine, 18);
  b.writeUInt32LE(1, 20); // EV_CURRENT
  const entry = s.base + codeOff;
  if (s.bits === 64) {
    b.writeBigUInt64LE(BigInt(entry), 24);
    b.writeBigUInt64LE(BigInt(ehSize), 32); // e_phoff
    b.writeBigUInt64LE(0n, 40); // e_shoff
    b.writeUInt32LE(s.flags, 48);
    b.writeUInt16LE(ehSize, 52);
    b.writeUInt16LE(phSize, 54);
    b.writeUInt16LE(1, 56); // e_phnum
    // program header: PT_LOAD, R+X, whole file at base
    const p = ehSize;
    b.writeUInt32LE(1, p);
    b.writeUInt32LE(5, p + 4);
    b.writeBigUInt64LE(0n, p + 8);
    b.writeBigUInt64LE(BigInt(s.base), p + 16);
    b.writeBigUInt64LE(BigInt(s.base), p + 24);
    b.writeBigUInt64LE(BigInt(total), p + 32);
    b.writeBigUInt64LE(BigInt(total), p + 40);
    b.writeBigUInt64LE(0x1000n, p + 48);
  } else {
    b.writeUInt32LE(entry, 24);
    b.writeUInt32LE(ehSize, 28); // e_phoff
    b.writeUInt32LE(0, 32); // e_shoff
    b.writeUInt32LE(s.flags, 36);
    b.writeUInt16LE(ehSize, 40);
    b.writeUInt16LE(phSize, 42);
    b.writeUInt16LE(1, 44); // e_phnum
    const p = ehSize;
    b.writeUInt32LE(1, p); // PT_LOAD
    b.writeUInt32LE(0, p + 4); // p_offset
    b.writeUInt32LE(s.base, p + 8);
    b.writeUInt32LE(s.base, p + 12);
    b.writeUInt32LE(total, p + 16);
    b.writeUInt32LE(total, p + 20);
    b.writeUInt32LE(5, p + 24); // R+X
    b.writeUInt32LE(0x1000, p + 28);
  }
  b.set(s.code, codeOff);
  return b;
}
