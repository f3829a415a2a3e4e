import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  configArch,
  configKernel,
  configKernelSeries,
  configValue,
  parseDotConfig,
  readDotConfig,
} from '../../src/kconfig/dotconfig.ts';
import { InputError } from '../../src/util/errors.ts';

const SAMPLE = `#
# Automatically generated file; DO NOT EDIT.
# Linux/x86 6.12.48 Kernel Configuration
#
CONFIG_CC_VERSION_TEXT="gcc (Debian 12.2.0-14) 12.2.0"
CONFIG_X86_64=y
CONFIG_MODULES=m
# CONFIG_DEBUG_FS is not set
CONFIG_NR_CPUS=64
CONFIG_PHYSICAL_START=0x1000000
CONFIG_PANIC_TIMEOUT=-1
CONFIG_STATIC_USERMODEHELPER_PATH=""
CONFIG_CMDLINE="a \\"quoted\\" word"

CONFIG_NR_CPUS=8
`;

describe('parseDotConfig', () => {
  const c = parseDotConfig(SAMPLE, 'sample');

  it('reads every value form', () => {
    expect(c.values.get('CC_VERSION_TEXT')).toBe('"gcc (Debian 12.2.0-14) 12.2.0"');
    expect(c.values.get('MODULES')).toBe('m');
    expect(c.values.get('DEBUG_FS')).toBe('n');
    expect(c.values.get('PHYSICAL_START')).toBe('0x1000000');
    expect(c.values.get('PANIC_TIMEOUT')).toBe('-1');
    expect(c.values.get('STATIC_USERMODEHELPER_PATH')).toBe('""');
    expect(c.values.get('CMDLINE')).toBe('"a \\"quoted\\" word"');
  });

  it('a later assignment wins and its line is recorded', () => {
    expect(c.values.get('NR_CPUS')).toBe('8');
    expect(c.lines.get('NR_CPUS')).toBe(15);
  });

  it('reads arch and version from the header and arch symbols', () => {
    expect(c.header).toEqual({ arch: 'x86', version: '6.12.48' });
    expect(configArch(c)).toBe('x86_64');
    expect(configKernelSeries(c)).toBe('6.12');
    expect(configKernel(c)).toBe('6.12');
  });

  it('absent symbols read as n', () => {
    expect(configValue(c, 'NOT_THERE')).toBe('n');
  });

  it.each([
    ['arm64 header', '# Linux/arm64 6.1.0 Kernel Configuration\nCONFIG_ARM64=y\n', 'arm64'],
    ['32-bit x86', '# Linux/x86 6.12.1 Kernel Configuration\nCONFIG_X86_32=y\n', 'unknown'],
    ['arm (32-bit)', '# Linux/arm 6.12.1 Kernel Configuration\nCONFIG_ARM=y\n', 'unknown'],
    ['no header, arm64 symbol', 'CONFIG_ARM64=y\n', 'arm64'],
    ['a fragment: no header, no arch symbol', 'CONFIG_MODULES=y\n', undefined],
  ])('arch of %s', (_name, text, arch) => {
    expect(configArch(parseDotConfig(text, 'f'))).toBe(arch);
  });

  it('an unsupported series is reported but not mapped', () => {
    const c2 = parseDotConfig('# Linux/x86 6.6.10 Kernel Configuration\nCONFIG_X86_64=y\n', 'f');
    expect(configKernelSeries(c2)).toBe('6.6');
    expect(configKernel(c2)).toBeUndefined();
  });

  it.each([
    ['empty', '', /empty file/],
    ['blank', '\n  \n', /empty file/],
    ['binary', 'CONFIG_A=y\n\0\0\x01', /binary file/],
    ['comments only', '# just a comment\n', /no CONFIG_ lines/],
    ['no line conf would read', 'MODULES=y\n  CONFIG_A=y\n', /no CONFIG_ lines/],
  ])('%s -> InputError', (_name, text, message) => {
    let err: unknown;
    try {
      parseDotConfig(text, 'bad.config', { lenient: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(message);
    expect((err as InputError).message.startsWith('bad.config: ')).toBe(true);
  });
});

describe('parseDotConfig reads what conf_read_simple reads, with a warning per line it reads differently or ignores', () => {
  // [line, the value conf gets (undefined: conf ignores the line), the warning]
  const cases: [string, string | undefined, RegExp][] = [
    ['CONFIG_A=yes', 'y', /CONFIG_A=yes read as y: conf reads a bool or tristate by its first character/],
    ['CONFIG_A=m # as module', 'm', /read as m/],
    ['CONFIG_A=n ', 'n', /read as n/],
    ['# CONFIG_A is not set (was y)', 'n', /text after "is not set" ignored/],
    ['CONFIG_A="x" trailing', '"x"', /text after the closing quote ignored: trailing/],
    ['CONFIG_A="abc', undefined, /unterminated string, ignored/],
    ['CONFIG_A=12 # twelve', undefined, /value '12 # twelve' is not one conf accepts/],
    ['CONFIG_A=foo', undefined, /value 'foo' is not one conf accepts/],
    ['CONFIG_A=', undefined, /value '' is not one conf accepts/],
    ['CONFIG_A', undefined, /no '=' after the name/],
    ['CONFIG_A-B=y', undefined, /not a symbol name/],
    ['  CONFIG_A=y', undefined, /unexpected data, ignored \(as conf does\): CONFIG_A=y/],
    ['hello world', undefined, /unexpected data, ignored \(as conf does\): hello world/],
  ];
  it.each(cases)('%s', (line, value, warning) => {
    const c = parseDotConfig(`CONFIG_Z=y\n${line}\n`, 'f', { lenient: true });
    expect(c.values.get('A')).toBe(value);
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]!.line).toBe(2);
    expect(c.warnings[0]!.message).toMatch(warning);
  });

  it.each(cases)('strict reading refuses %s, naming its line', (line, _value, warning) => {
    expect(() => parseDotConfig(`CONFIG_Z=y\n${line}\n`, 'bad.config')).toThrow(
      new RegExp(`^bad\\.config:2: malformed line: .*${warning.source}`),
    );
  });

  it('canonical lines, other comments and CRLF endings read without a warning', () => {
    const c = parseDotConfig('# CONFIG_A: a note\r\nCONFIG_B=y\r\n# CONFIG_C is not set\r\n\r\n', 'f');
    expect([...c.values]).toEqual([['B', 'y'], ['C', 'n']]);
    expect(c.warnings).toEqual([]);
  });
});

describe('readDotConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dotconfig-'));
  const plain = 'CONFIG_X86_64=y\nCONFIG_MODULES=y\n';

  it('reads plain, gzip and xz files', () => {
    writeFileSync(join(dir, 'plain'), plain);
    writeFileSync(join(dir, 'config.gz'), gzipSync(plain));
    writeFileSync(join(dir, 'config.xz'), execFileSync('xz', ['-c'], { input: plain }));
    for (const f of ['plain', 'config.gz', 'config.xz']) {
      expect(readDotConfig(join(dir, f)).values.get('MODULES'), f).toBe('y');
    }
  });

  it.each([
    ['missing', 'nope', /no such file/],
    ['directory', '.', /is a directory/],
  ])('%s file -> InputError', (_n, name, message) => {
    expect(() => readDotConfig(join(dir, name))).toThrow(message);
  });

  it('corrupt compressed data -> InputError', () => {
    writeFileSync(join(dir, 'bad.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    expect(() => readDotConfig(join(dir, 'bad.gz'))).toThrow(/corrupt gzip/);
    writeFileSync(join(dir, 'bad.xz'), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 9, 9]));
    expect(() => readDotConfig(join(dir, 'bad.xz'))).toThrow(/corrupt xz/);
  });

  it('invalid UTF-8 is binary', () => {
    writeFileSync(join(dir, 'latin1'), Buffer.from([0x43, 0x4f, 0xff, 0xfe, 0x0a]));
    expect(() => readDotConfig(join(dir, 'latin1'))).toThrow(/binary file/);
  });
});
