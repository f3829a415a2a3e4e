// The natives capsem-doctor-rt.c puts on the global __capsemNative: the
// system calls the Node shims beside this file are made of. Only the doctor's
// QuickJS bundle uses them (scripts/bundle.mjs maps node:* to these shims).

import type { FileInfo, FileKind } from '../env.ts';

/** stat(2) as the natives answer it: FileInfo's numbers, with st_mode whole (file type bits included). */
export type NativeStat = Omit<FileInfo, 'kind'> & { nlink: number };

export interface NativeSpawn {
  pid: number;
  status: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: ArrayBuffer;
  stderr: ArrayBuffer;
}

export interface Native {
  argv: string[];
  arch: string;
  errno: Record<string, number>;
  O_NONBLOCK: number;
  open(path: string, flags: number, mode?: number): number;
  close(fd: number): void;
  read(fd: number, buf: Uint8Array, offset: number, length: number, position: number | null): number;
  write(fd: number, buf: Uint8Array): number;
  stat(path: string): NativeStat;
  lstat(path: string): NativeStat;
  fstat(fd: number): NativeStat;
  readdir(path: string): string[];
  /** The whole file; `records`: a record device read without blocking to its current end. */
  readFile(path: string, records: boolean): ArrayBuffer;
  readlink(path: string): string;
  statfsType(path: string): number;
  mkdtemp(prefix: string): string;
  unlink(path: string): void;
  rmdir(path: string): void;
  walk(hostTop: string, guestTop: string): { entries: number; special: [string, number, FileKind][]; files: string[]; unreadable: [string, string][] };
  spawnSync(file: string, args: readonly string[], input: string | null, timeoutMs: number): NativeSpawn;
  /** capsem-probe's calls in this process: [ret, errno]; [name, 0|1][]; [path, errno (0: has a capability)][]. */
  probeSyscall(name: string): [number, number];
  probeCpu(): [string, number][];
  probeFileCaps(paths: readonly string[]): [string, number][];
  utf8Decode(bytes: Uint8Array): string;
  utf8Encode(text: string): ArrayBuffer;
  sha256New(): ArrayBuffer;
  sha256Update(state: ArrayBuffer, bytes: Uint8Array): void;
  sha256Hex(state: ArrayBuffer): string;
  clockMs(): number;
  getpid(): number;
}

export const native = (globalThis as unknown as { __capsemNative: Native }).__capsemNative;
