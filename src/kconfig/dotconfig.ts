import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { type Arch, isKernelVersion, type KernelSeries, type KernelVersion, parseKernelSeries } from '../policy/index.ts';
import { InputError } from '../util/errors.ts';

// Reading kernel .config files and fragments (same syntax), the way kbuild's
// conf reads them (scripts/kconfig/confdata.c, conf_read_simple). A line conf
// would read differently from how it looks (`CONFIG_X=yes` is y: a tristate is
// read by its first character) or would ignore (`hello`, an unterminated
// string) is never skipped silently, because a misread line is a rule audited
// against the wrong value: strict reading (our own fragments, build inputs)
// refuses it with its line; lenient reading (audit: any config people ship)
// reads it as conf does and keeps a warning naming its line.

export interface ReadWarning {
  line: number;
  message: string;
}

export interface DotConfig {
  file: string;
  /** Symbol without CONFIG_ -> 'y' | 'm' | 'n' | '"quoted string"' | number text, as conf reads it. Later lines win. */
  values: Map<string, string>;
  /** 1-based line of each symbol's last assignment. */
  lines: Map<string, number>;
  /** Lines conf reads differently from how they look, or ignores. */
  warnings: ReadWarning[];
  /** From `# Linux/<arch> <version> Kernel Configuration`, when present. */
  header?: { arch: string; version: string };
}

// One canonical line, whole: an assignment, "is not set", the version header, another comment,
// or blank. Matching line by line with one sticky regex keeps the 11k-line Debian configs fast in
// a cold process (the audit is a whole-process command); any other line takes the slow path.
const LINE =
  /(?:CONFIG_([A-Za-z0-9_]+)=([ymn]|-?[0-9]+|0[xX][0-9a-fA-F]+|"(?:[^"\\\n]|\\[^\n])*")|# CONFIG_([A-Za-z0-9_]+) is not set|# Linux\/(\S+) (\S+) Kernel Configuration|#(?! CONFIG_)[^\n]*|[ \t]*)\r?(?:\n|$)/y;
const NAME = /^[A-Za-z0-9_]+$/;

export interface ReadOptions {
  /** Read what conf reads, with warnings, instead of refusing the first line it reads differently. */
  lenient?: boolean;
}

export function parseDotConfig(text: string, file: string, opts: ReadOptions = {}): DotConfig {
  if (text.includes('\0')) throw new InputError(file, 'binary file, not a kernel .config');
  if (text.trim() === '') throw new InputError(file, 'empty file, not a kernel .config');
  const values = new Map<string, string>();
  const lines = new Map<string, number>();
  const warnings: ReadWarning[] = [];
  let header: DotConfig['header'];
  LINE.lastIndex = 0;
  for (let line = 1; LINE.lastIndex < text.length; line++) {
    const at = LINE.lastIndex;
    const m = LINE.exec(text);
    if (!m) {
      const end = text.indexOf('\n', at);
      const raw = text.slice(at, end === -1 ? undefined : end).replace(/\r$/, '');
      LINE.lastIndex = end === -1 ? text.length : end + 1;
      const read = readLine(raw);
      if (read.warning && !opts.lenient) throw new InputError(file, `malformed line: ${read.warning}`, line);
      if (read.warning) warnings.push({ line, message: read.warning });
      if (read.name !== undefined) {
        values.set(read.name, read.value!);
        lines.set(read.name, line);
      }
    } else if (m[1] !== undefined) {
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
  return { file, values, lines, warnings, ...(header ? { header } : {}) };
}

/** A non-canonical line, as conf_read_simple() reads it: the value it sets (if any) and why it deserves a warning. */
function readLine(raw: string): { name?: string; value?: string; warning?: string } {
  const shown = truncate(raw.trim());
  if (raw.startsWith('# CONFIG_')) {
    // conf compares only the first 10 characters after the name with "is not set".
    const sp = raw.indexOf(' ', 9);
    const name = raw.slice(9, sp);
    if (sp === -1 || !raw.startsWith('is not set', sp + 1) || !NAME.test(name)) return {};
    return { name, value: 'n', warning: `text after "is not set" ignored: ${shown}` };
  }
  if (raw.startsWith('#')) return {};
  if (!raw.startsWith('CONFIG_')) return { warning: `unexpected data, ignored (as conf does): ${shown}` };
  const eq = raw.indexOf('=');
  if (eq === -1) return { warning: `no '=' after the name, ignored (as conf does): ${shown}` };
  const name = raw.slice(7, eq);
  const value = raw.slice(eq + 1);
  if (!NAME.test(name)) return { warning: `not a symbol name, ignored (as conf does): ${shown}` };
  if (value.startsWith('"')) {
    const close = closingQuote(value);
    if (close === -1) return { warning: `CONFIG_${name}: unterminated string, ignored (conf: "invalid string found")` };
    const rest = value.slice(close + 1);
    return { name, value: value.slice(0, close + 1), warning: `CONFIG_${name}: text after the closing quote ignored: ${truncate(rest.trim())}` };
  }
  const first = value[0];
  if (first === 'y' || first === 'm' || first === 'n') {
    return {
      name,
      value: first,
      warning: `CONFIG_${name}=${truncate(value)} read as ${first}: conf reads a bool or tristate by its first character`,
    };
  }
  return {
    warning: `CONFIG_${name}: value '${truncate(value)}' is not one conf accepts (y/m/n, a number, a quoted string): ignored`,
  };
}

/** Index of the quote closing the string that starts at 0 (backslash escapes the next character), or -1. */
function closingQuote(s: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}

function truncate(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Reads a .config, plain, gzip (/proc/config.gz) or xz (Debian's linux-config packages). */
export function readDotConfig(path: string, opts: ReadOptions = {}): DotConfig {
  return parseDotConfig(readConfigText(path), path, opts);
}

/** A .config's text, decompressed (plain, gzip or xz); unreadable or binary input is an InputError. */
export function readConfigText(path: string): string {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code})`;
    throw new InputError(path, why);
  }
  return decompress(raw, path);
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
export function configKernelSeries(config: DotConfig): KernelSeries | undefined {
  const m = /^(\d+)\.(\d+)/.exec(config.header?.version ?? '');
  return m ? parseKernelSeries(`${m[1]}.${m[2]}`) : undefined;
}

export function configKernel(config: DotConfig): KernelVersion | undefined {
  const series = configKernelSeries(config);
  return series && isKernelVersion(series) ? series : undefined;
}
