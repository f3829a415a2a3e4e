import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type CpioEntry, cpioNewc, gzipCpio } from '../../src/guest/cpio.ts';

const entries: CpioEntry[] = [
  { type: 'file', path: '/init', mode: 0o555, data: Buffer.from('#!/bin/sh\n') },
  { type: 'dir', path: '/bin', mode: 0o755 },
  { type: 'symlink', path: '/bin/sh', target: 'busybox' },
  { type: 'chardev', path: '/dev/console', mode: 0o600, major: 5, minor: 1 },
  { type: 'dir', path: '/dev', mode: 0o755 },
  { type: 'file', path: '/bin/busybox', mode: 0o755, data: Buffer.from('odd length!') },
];

describe('cpio newc', () => {
  it('is read back by cpio(1) with our modes, owners, times and device numbers', () => {
    const env = { ...process.env, TZ: 'UTC', LC_ALL: 'C' };
    const names = execFileSync('cpio', ['-it', '--quiet'], { input: cpioNewc(entries), encoding: 'utf8', env }).trim().split('\n');
    const verbose = execFileSync('cpio', ['-itv', '--quiet'], { input: cpioNewc(entries), encoding: 'utf8', env });
    const rows = verbose.trim().split('\n').map((l) => l.split(/\s+/));
    expect(names).toEqual(['bin', 'bin/busybox', 'bin/sh', 'dev', 'dev/console', 'init']);
    const row = (name: string) => rows[names.indexOf(name)]!;
    expect(row('init')[0]).toBe('-r-xr-xr-x');
    expect(row('dev/console')[0]).toBe('crw-------');
    expect(row('dev/console').slice(4, 6).join(' ')).toBe('5, 1');
    expect(row('bin/sh')[0]).toBe('lrwxrwxrwx');
    expect(row('bin/sh').slice(-2)).toEqual(['->', 'busybox']);
    expect(row('init')).toContain('1970');
    for (const r of rows) expect(r[2]).toBe('root');
  });

  it('extracts file contents intact (4-byte padding)', () => {
    const out = execFileSync('cpio', ['-i', '--quiet', '--to-stdout', 'bin/busybox'], { input: cpioNewc(entries) });
    expect(out.toString()).toBe('odd length!');
  });

  it('is byte-for-byte reproducible, whatever the input order', () => {
    const a = gzipCpio(entries);
    const b = gzipCpio([...entries].reverse());
    expect(a.equals(b)).toBe(true);
    expect(gunzipSync(a).subarray(0, 6).toString()).toBe('070701');
  });
});
