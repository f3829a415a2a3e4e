import { CapsemBuffer, bufferFrom } from './buffer.ts';
import { type NativeStat, native } from './native.ts';

// node:fs for the doctor's QuickJS bundle: the synchronous calls env.ts and
// cli.ts make, with Node's errors (code, errno) thrown by the natives.

const S_IFMT = 0o170000;
const kind = (mode: number) => mode & S_IFMT;

/** node's file-type predicates, by st_mode's type bits. */
const TYPES = { isFile: 0o100000, isDirectory: 0o040000, isSymbolicLink: 0o120000, isBlockDevice: 0o060000, isCharacterDevice: 0o020000, isFIFO: 0o010000, isSocket: 0o140000 };
export interface Stats extends NativeStat, Record<keyof typeof TYPES, () => boolean> {}
// The natives' fields (merged from NativeStat), with node's predicates (on the prototype: the walks make thousands).
export class Stats {
  constructor(s: NativeStat) {
    Object.assign(this, s);
  }
}
for (const [name, type] of Object.entries(TYPES)) {
  Object.defineProperty(Stats.prototype, name, { value(this: Stats) { return kind(this.mode) === type; } });
}

export const constants = { O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 0o100, O_TRUNC: 0o1000, O_NONBLOCK: native.O_NONBLOCK };

type Flags = 'r' | 'w' | number;
const flagsOf = (f: Flags = 'r') => (f === 'r' ? constants.O_RDONLY : f === 'w' ? constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC : f);

export const openSync = (path: string, flags?: Flags, mode = 0o666) => native.open(path, flagsOf(flags), mode);
export const closeSync = (fd: number) => native.close(fd);
export const readSync = (fd: number, buf: Uint8Array, offset = 0, length = buf.length - offset, position: number | null = null) =>
  native.read(fd, buf, offset, length, position);

export function readFileSync(path: string, enc?: 'utf8' | { encoding?: 'utf8' }): CapsemBuffer | string {
  // One native call: open, read to EOF (/proc and /sys files say size 0 or 4096, whatever they hold), close.
  const all = new CapsemBuffer(native.readFile(path, false));
  return enc === undefined || (typeof enc === 'object' && enc.encoding === undefined) ? all : all.toString('utf8');
}

/** Not node's: a record device (/dev/kmsg) read to its current end without blocking, in one native call (see n_read_file). */
export const capsemReadRecordsSync = (path: string) => new CapsemBuffer(native.readFile(path, true));

export function writeFileSync(path: string, data: string | Uint8Array, opts?: { mode?: number }): void {
  const fd = native.open(path, flagsOf('w'), opts?.mode ?? 0o666);
  try {
    native.write(fd, typeof data === 'string' ? bufferFrom(data) : data);
  } finally {
    native.close(fd);
  }
}

export const statSync = (path: string) => new Stats(native.stat(path));
export const lstatSync = (path: string) => new Stats(native.lstat(path));
export const readdirSync = (path: string) => native.readdir(path);
export const readlinkSync = (path: string) => native.readlink(path);
export const statfsSync = (path: string) => ({ type: native.statfsType(path) });
export const mkdtempSync = (prefix: string) => native.mkdtemp(prefix);

export function rmSync(path: string, opts?: { recursive?: boolean; force?: boolean }): void {
  let st: NativeStat;
  try {
    st = native.lstat(path);
  } catch (e) {
    if (opts?.force && (e as { code?: string }).code === 'ENOENT') return;
    throw e;
  }
  if (kind(st.mode) !== 0o040000) return native.unlink(path);
  if (!opts?.recursive) throw Object.assign(new Error(`EISDIR: is a directory, rm '${path}'`), { code: 'EISDIR' });
  for (const name of native.readdir(path)) rmSync(`${path}/${name}`, opts);
  native.rmdir(path);
}

/** Not node's: env.ts walkTree in C, one call per mount (see n_walk). */
export function capsemWalkSync(hostTop: string, guestTop: string) {
  const w = native.walk(hostTop, guestTop);
  return {
    entries: w.entries,
    special: w.special.map(([path, mode, kind]) => ({ path, mode, kind })),
    files: w.files,
    unreadable: w.unreadable.map(([path, code]) => ({ path, code })),
  };
}
