import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { captureIO } from '../helpers/io.ts';

// --kernel takes any MAJOR.MINOR: a verified series silently, another with a
// warning that its names were not checked against that version's Kconfig tree.

async function cli(args: string[]) {
  const io = captureIO();
  const code = await run(args, io);
  return { code, out: io.out, err: io.err };
}

describe('--kernel', () => {
  it('a verified series gives no warning', async () => {
    const r = await cli(['defconfig', '--arch', 'x86_64', '--kernel', '7.3']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toContain('Target: Linux 7.3 x86_64');
  });

  it('another series resolves through the version ranges and says it is unverified', async () => {
    const r = await cli(['defconfig', '--arch', 'arm64', '--kernel', '6.6']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^defconfig: warning: Linux 6\.6 is not a verified version \(6\.1, 6\.12, 7\.3\)/);
    // SLAB_BUCKETS came in 6.11: a 6.6 fragment must not ask for it, a 7.3 one does.
    expect(r.out).not.toContain('CONFIG_SLAB_BUCKETS=y');
    expect((await cli(['defconfig', '--arch', 'arm64', '--kernel', '7.3'])).out).toContain('CONFIG_SLAB_BUCKETS=y');
  });

  it('not a series: one line, exit 2', async () => {
    const r = await cli(['cmdline', '--arch', 'x86_64', '--kernel', '6.x']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('--kernel 6.x is not a kernel series');
  });

  it('building an unverified series without --source names what to pass', async () => {
    const r = await cli(['build', '--arch', 'x86_64', '--kernel', '6.6', '--configure-only']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('no Debian source is pinned for Linux 6.6 (only for 6.1, 6.12, 7.3): pass --source TARBALL --sha256 HEX, or --source DIR');
  });
});
