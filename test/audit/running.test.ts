import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.ts';
import { parseProcVersion, releaseDigest } from '../../src/kconfig/release.ts';
import { captureIO } from '../helpers/io.ts';

const dir = mkdtempSync(join(tmpdir(), 'audit-running-'));
const file = (name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

const CONFIG = '#\n# Linux/x86 6.12.117 Kernel Configuration\n#\nCONFIG_X86_64=y\nCONFIG_CC_VERSION_TEXT="gcc (Debian 12.2.0-14) 12.2.0"\n';
const DIGEST = releaseDigest(CONFIG);
const versionLine = (release: string) => `Linux version ${release} (capsem@capsem) (gcc (Debian 12.2.0-14) 12.2.0, GNU ld 2.40) #1 SMP PREEMPT_DYNAMIC\n`;

async function cli(...argv: string[]) {
  const io = captureIO();
  const code = await run(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('the release names the config', () => {
  it('the digest is 12 hex of the sha256 of the exact bytes, and any change moves it', () => {
    expect(DIGEST).toMatch(/^[0-9a-f]{12}$/);
    expect(releaseDigest(CONFIG.replace('CONFIG_X86_64=y', '# CONFIG_X86_64 is not set'))).not.toBe(DIGEST);
  });

  it('reads release and digest from /proc/version; a foreign kernel has no digest', () => {
    expect(parseProcVersion(versionLine(`6.12.117-capsem-${DIGEST}`))).toEqual({ release: `6.12.117-capsem-${DIGEST}`, digest: DIGEST });
    expect(parseProcVersion(versionLine('6.12.57+deb13-cloud-amd64'))).toEqual({ release: '6.12.57+deb13-cloud-amd64' });
    expect(parseProcVersion('garbage')).toBeUndefined();
  });
});

describe('capsem-kernel audit --running', () => {
  const ours = file('version-ours', versionLine(`6.12.117-capsem-${DIGEST}`));
  const config = file('config', CONFIG);

  it('names the digest the running kernel claims; exit 0', async () => {
    const r = await cli('audit', '--running', '--version-file', ours);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`running kernel 6.12.117-capsem-${DIGEST}: names config digest ${DIGEST}`);
  });

  it('with --config: exit 0 for that config (plain or gzip), 1 for another, in text and json', async () => {
    expect((await cli('audit', '--running', '--version-file', ours, '--config', config)).out).toContain('the running kernel is this config');
    expect((await cli('audit', '--running', '--version-file', ours, '--config', file('config.gz', gzipSync(CONFIG)))).code).toBe(0);
    const other = await cli('audit', '--running', '--version-file', ours, '--config', file('other', CONFIG + 'CONFIG_X=y\n'), '--format', 'json');
    expect(other.code).toBe(1);
    expect(JSON.parse(other.out)).toMatchObject({ release: `6.12.117-capsem-${DIGEST}`, digest: DIGEST, config: { match: false } });
  });

  it('a kernel capsem did not build is unidentified: exit 1', async () => {
    const r = await cli('audit', '--running', '--version-file', file('version-debian', versionLine('6.12.57+deb13-cloud-amd64')));
    expect(r.code).toBe(1);
    expect(r.out).toContain('names no capsem config');
  });

  it('bad input: one line, exit 2', async () => {
    const r = await cli('audit', '--running', '--version-file', file('junk', 'not a version\n'));
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('junk:1: not a kernel version line');
    expect((await cli('audit', '--running', '--version-file', ours, '--format', 'sarif')).code).toBe(2);
  });
});
