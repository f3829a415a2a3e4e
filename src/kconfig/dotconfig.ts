import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { type Arch, isKernelVersion, type KernelVersion } from '../policy/index.ts';
import { InputError } from '../util/errors.ts';

// Reading kernel .config files and fragments (same syntax). Strict: a line we
// do not understand is an error with its line number, never silently skipped,
// because a skipped line is a rule audited against the wrong value.

export interface DotConfig {
  file: string;
  /** Symbol without CONFIG_ -> 'y' | 'm' | 'n' | '"quoted string"' | number text. Later lines win. */
  values: Map<string, string>;
  /** 1-based line of each symbol's last assignment. */
  lines: Map<string, number>;
  /** From `# Linux/<arch> <version> Kernel Configuration`, when present. */
  header?: { arch: string; version: string };
}

// One line of a .config, whole: an assignment, "is not set", the version header, another
// comment, or blank. Matching line by line with one sticky regex keeps the 11k-line Debian
// configs fast in a cold process (the audit is a whole-process command).
const LINE =
  /[ \t]*(?:CONFIG_([A-Za-z0-9_]+)=([ymn]|-?[0-9]+|0[xX][0-9a-fA-F]+|"(?:[^"\\\n]|\\[^\n])*")|# CONFIG_([A-Za-z0-9_]+) is not set|# Linux\/(\S+) (\S+) Kernel Configuration|#[^\n]*|)[ \t\r]*(?:\n|$)/y;
const ASSIGNMENT_START = /^[ \t]*CONFIG_([A-Za-z0-9_]+)=/;

export function parseDotConfig(text: string, file: string): DotConfig {
  if (text.includes('\0')) throw new InputError(file, 'binary file, not a kernel .config');
  if (text.trim() === '') throw new InputError(file, 'empty file, not a kernel .config');
  const values = new Map<string, string>();
  const lines = new Map<string, number>();
  let header: DotConfig['header'];
  LINE.lastIndex = 0;
  for (let line = 1; LINE.lastIndex < text.length; line++) {
    const at = LINE.lastIndex;
    const m = LINE.exec(text);
    if (!m) throw malformed(file, text, at, line);
    if (m[1] !== undefined) {
      values.set(m[1], m[2]!);
      lines.set(m[1], line);
    } else if (m[3] !== undefined) {
      values.set(m[3], 'n');
      lines.set(m[3], line);
    } else if (m[4] !== undefined && !header) {
      header = { arch: m[4], version: m[5]! };
    }
  }
  if (values.size === 0) throw new InputError(file, 'no CONFIG_ lines: not a kernel .config');
  return { file, values, lines, ...(header ? { header } : {}) };
}

/** The error for the line starting at `at`: a bad value of a well-formed assignment, or a bad line. */
function malformed(file: string, text: string, at: number, line: number): InputError {
  const end = text.indexOf('\n', at);
  const raw = text.slice(at, end === -1 ? undefined : end).replace(/\r$/, '');
  const assignment = ASSIGNMENT_START.exec(raw);
  if (assignment) {
    const value = raw.slice(assignment[0].length).trim();
    return new InputError(file, `malformed value for CONFIG_${assignment[1]}: ${truncate(value)}`, line);
  }
  return new InputError(file, `malformed line (expected CONFIG_X=value or a # comment): ${truncate(raw.trim())}`, line);
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Reads a .config, plain, gzip (/proc/config.gz) or xz (Debian's linux-config packages). */
export function readDotConfig(path: string): DotConfig {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code})`;
    throw new InputError(path, why);
  }
  return parseDotConfig(decompress(raw, path), path);
}

function decompress(raw: Buffer, path: string): string {
  let data = raw;
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      data = gunzipSync(raw);
    } catch {
      throw new InputError(path, 'corrupt gzip data');
    }
  } else if (raw.subarray(0, 6).equals(XZ_MAGIC)) {
    try {
      data = execFileSync('xz', ['-dc'], { input: raw, maxBuffer: 64 << 20, stdio: ['pipe', 'pipe', 'ignore'] });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new InputError(path, code === 'ENOENT' ? 'xz-compressed, but the xz tool is not installed' : 'corrupt xz data');
    }
  }
  const text = data.toString('utf8');
  // Invalid UTF-8 decodes to U+FFFD: treat it as binary, like a NUL byte.
  if (text.includes('\uFFFD')) throw new InputError(path, 'binary file, not a kernel .config');
  return text;
}

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

/** The value a symbol has in a final .config: absent means not visible, i.e. n. */
export function configValue(config: DotConfig, symbol: string): string {
  return config.values.get(symbol) ?? 'n';
}

/** The arch a .config was made for, from its header and arch symbols; undefined when it does not say. */
export function configArch(config: DotConfig): Arch | 'unknown' | undefined {
  const header = config.header?.arch;
  if (config.values.get('X86_64') === 'y' || header === 'x86_64') return 'x86_64';
  if (config.values.get('ARM64') === 'y' || header === 'arm64') return 'arm64';
  if (header !== undefined) return 'unknown';
  return undefined;
}

/** The kernel series (major.minor) from the header, e.g. '6.12.48' -> '6.12'. */
export function configKernelSeries(config: DotConfig): string | undefined {
  const m = /^(\d+)\.(\d+)/.exec(config.header?.version ?? '');
  return m ? `${m[1]}.${m[2]}` : undefined;
}

export function configKernel(config: DotConfig): KernelVersion | undefined {
  const series = configKernelSeries(config);
  return series && isKernelVersion(series) ? series : undefined;
}
