import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { captureIO } from '../helpers/io.ts';

// --base / --enforce usage errors: one line, exit 2, nothing built or booted.

describe('rootfs / boot / up --base usage', () => {
  it.each<[string[], RegExp]>([
    [['rootfs', '--arch', 'x86_64', '--enforce'], /rootfs: --enforce applies to a --base root/],
    [['rootfs', '--arch', 'x86_64', '--base', '/nonexistent/root.tar'], /\/nonexistent\/root.tar: base root not found/],
    [['rootfs', '--arch', 'x86_64', '--base', '/nonexistent/root.tar', '--unsafe-variant', 'setuid-file'], /--base takes the real guest only/],
    [['boot', '--arch', 'x86_64', '--enforce', '--kernel', '/nonexistent/bzImage'], /boot: --enforce applies to a --base root/],
    [['boot', '--arch', 'x86_64', '--base', '/r.tar', '--rootfs', '/r.sqfs', '--kernel', '/nonexistent/bzImage'], /boot: --base builds the images: --rootfs\/--initramfs do not apply/],
    [['up', '--arch', 'x86_64', '--enforce'], /up: --enforce applies to a --base root/],
  ])('%j', async (argv, message) => {
    const io = captureIO();
    expect(await run(argv, io)).toBe(2);
    expect(io.err).toMatch(message);
    expect(io.err.trim().split('\n')).toHaveLength(1);
  });

  it('--help teaches --base and --enforce', async () => {
    const io = captureIO();
    expect(await run(['rootfs', '--help'], io)).toBe(0);
    expect(io.out).toMatch(/--base PATH/);
    expect(io.out).toMatch(/--enforce/);
  });
});
