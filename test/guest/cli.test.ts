import { describe, expect, it } from 'vitest';
import { kvmUnusable, readHostFacts } from '../../src/guest/accel.ts';
import { run } from '../../src/cli/main.ts';
import { captureIO } from '../helpers/io.ts';

// The guest verbs' usage errors: one line, exit 2, nothing built or booted.

async function cli(...argv: string[]) {
  const io = captureIO();
  const code = await run(argv, io);
  return { code, err: io.err, out: io.out };
}

describe('rootfs / boot / up usage', () => {
  it.each<[string[], RegExp]>([
    [['rootfs'], /rootfs: --arch is required/],
    [['rootfs', '--arch', 'sparc'], /--arch must be one of x86_64, arm64/],
    [['rootfs', '--arch', 'x86_64', '--unsafe-variant', 'nope'], /--unsafe-variant: unknown nope \(one or more of setuid-file, /],
    [['boot'], /boot: --arch is required/],
    [['boot', '--arch', 'x86_64', '--accel', 'hvf'], /--accel must be one of auto, kvm, tcg/],
    [['boot', '--arch', 'x86_64', '--timeout', '0'], /--timeout must be a positive number of seconds/],
    [['boot', '--arch', 'x86_64', '--shell', '--json'], /--json does not apply/],
    [['boot', '--arch', 'x86_64', '--kernel', '/nonexistent/bzImage', '--rootfs', '/nonexistent/r', '--initramfs', '/nonexistent/i', '--accel', 'tcg'], /\/nonexistent\/bzImage: kernel image not found/],
    [['up', '--arch', 'x86_64', '--timeout', 'soon'], /up: --timeout must be a positive number/],
  ])('%j', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  const why = kvmUnusable('x86_64', readHostFacts());
  it.runIf(why)('--accel kvm where KVM cannot run the guest fails at once, before any build (exit 2)', async () => {
    for (const verb of ['up', 'boot']) {
      const t0 = Date.now();
      const r = await cli(verb, '--arch', 'x86_64', '--accel', 'kvm');
      expect(r.code).toBe(2);
      expect(r.err).toBe(`capsem-kernel: --accel kvm: KVM is not usable here: ${why}\n`);
      expect(Date.now() - t0).toBeLessThan(5000);
    }
  });
});
