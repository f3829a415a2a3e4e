import { describe, expect, it } from 'vitest';
import { upJson } from '../../src/cli/commands/up.ts';
import { bootJson, describeBoot, printable } from '../../src/cli/report.ts';
import type { Manifest } from '../../src/build/index.ts';
import type { GuestImages } from '../../src/guest/index.ts';
import type { BootResult } from '../../src/guest/index.ts';

// The text report prints guest-supplied strings (check evidence, reasons): a
// guest that names a file with terminal escape codes must not redraw the
// operator's screen. The JSON keeps the original bytes (escaped by JSON).

const EVIL = 'setuid: /tmp/\x1b[2J\x1b[1;1HALL CHECKS PASSED\x07\x9b31m';

function result(): BootResult {
  return {
    healthy: false,
    reason: `1 check(s) did not pass: test_no_setuid_binaries (fail) ${EVIL}`,
    report: {
      schema: 'capsem-doctor/2',
      healthy: false,
      arch: 'x86_64',
      kernelRelease: '6.12.117-capsem-0123456789ab',
      boot: { nonce: 'ab'.repeat(16), cmdline: 'ro', kernelVersion: '#1 SMP', bootId: 'id', target: { arch: 'x86_64', kernel: '6.12', toolchain: 'gcc' } },
      checks: [{ name: 'test_no_setuid_binaries', rules: ['guest-no-setuid'], status: 'fail', reason: 'mode-bit-found', evidence: [EVIL], ms: 1 }],
      summary: { passed: 0, failed: 1, errors: 0 },
      ms: 5,
    },
    arch: 'x86_64',
    accel: { accel: 'tcg', reason: 'test' },
    timings: { guest: [] } as unknown as BootResult['timings'],
    consoleTail: '',
    cmdline: 'ro',
    nonce: 'ab'.repeat(16),
    warnings: [],
    qemu: { argv: [], exitCode: 0, signal: null, timedOut: false },
  };
}

describe('the boot report', () => {
  it('escapes control characters (C0, DEL, C1) in guest text', () => {
    expect(printable('a\x1bb\x7fc\x9bd\te')).toBe('a\\x1bb\\x7fc\\x9bd\\x09e');
    const text = describeBoot(result());
    // eslint-disable-next-line no-control-regex
    expect(text.replace(/\n/g, '')).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
    expect(text).toContain('/tmp/\\x1b[2J\\x1b[1;1HALL CHECKS PASSED\\x07\\x9b31m');
  });

  it('JSON keeps the guest bytes as they were', () => {
    const json = JSON.stringify(bootJson(result()));
    expect(JSON.parse(json).doctor.checks[0].evidence[0]).toBe(EVIL);
    expect(JSON.parse(json).nonce).toBe('ab'.repeat(16));
  });
});

describe('one boot shape', () => {
  it('up --json is boot --json with the build beside it (kernel, rootfs, proof)', () => {
    const file = { path: '/p', sizeBytes: 1, sha256: 'a'.repeat(64) };
    const kernel = { kernelVersion: '6.12', kernelRelease: 'r', releaseDigest: { digest: 'd', recipe: 'x' }, image: file, enabledOptions: 3, cached: true, audit: {} };
    const images = { squashfs: { ...file, extra: 1 }, initramfs: file, cached: false };
    const up = upJson(kernel as unknown as Manifest, images as unknown as GuestImages, result());
    const { kernel: k, rootfs, proof, ...boot } = up;
    expect(boot).toEqual(bootJson(result()));
    expect(k.sha256).toBe(file.sha256);
    expect(rootfs.squashfs).toEqual(file);
    expect(proof).toBeNull();
  });
});
