// A full disk at each stage that writes a lot: the source unpack, the compile
// and mksquashfs, each with the cache on a size-limited tmpfs (mounted here,
// we are root; unmounted in afterAll). Each must fail with exit 2 and one line
// naming the path and "no space", and leave no partial entry.
//
// Unpack and compile use a temp cache dir on the tmpfs (the compile builds the
// shared cache's unpacked tree, read-only, as `--source DIR`); mksquashfs uses
// a copy-on-write view of the shared cache whose upper layer is the tmpfs
// (overlay.ts), sized to hold the staging tree but not the image too.

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSource } from '../../src/build/source.ts';
import { cacheRoot } from '../../src/util/paths.ts';
import { BIN, NODE_LAYOUT, type OverlayCache, type Run, inSharedCache, overlayCache } from './overlay.ts';

const base = mkdtempSync(join(tmpdir(), 'capsem-faults-full-'));
const mounted: string[] = [];
const overlays: OverlayCache[] = [];
afterAll(async () => {
  for (const o of overlays) await o.dispose();
  for (const m of mounted) execFileSync('umount', ['-l', m]);
  rmSync(base, { recursive: true, force: true });
});

/** A tmpfs of `bytes` at a fresh dir under the scratch dir. */
function smallDisk(name: string, bytes: number): string {
  const dir = join(base, name);
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, `capsem-${name}`, dir]);
  mounted.push(dir);
  return dir;
}

function cli(args: string[], cacheDir: string): Promise<Run> {
  const cwd = join(base, `cwd-${mounted.length}`);
  mkdirSync(cwd, { recursive: true });
  const child = spawn('node', [BIN, ...args], { cwd, env: { ...process.env, CAPSEM_CACHE_DIR: cacheDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok) => child.on('close', (code, signal) => ok({ code, signal, stdout, stderr })));
}

/** The error line: the last one on stderr, after any progress lines. */
const errorLine = (stderr: string) => stderr.trimEnd().split('\n').at(-1)!;
const MiB = 1 << 20;

function expectNoSpace(r: Run, path: string, what: string) {
  expect(r.code, r.stderr.slice(-3000)).toBe(2);
  expect(errorLine(r.stderr)).toBe(
    `capsem-kernel: ${path}: no space left on device while ${what}; nothing was kept (free some space: \`capsem-kernel cache prune\`)`,
  );
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** Debian's 6.12 tarball and its tree in the shared cache (installed and unpacked there first on a fresh machine, as any build does). */
let source: { path: string; sha256: string; tree: string };
beforeAll(async () => {
  source = await resolveSource({ kernel: '6.12', cwd: process.cwd(), cacheRoot: cacheRoot(), say: () => {} });
});

describe('disk full', () => {
  it('during the source unpack: exit 2, the line names the entry, nothing unpacked is left', async () => {
    const disk = smallDisk('unpack', 64 * MiB);
    const r = await cli(['build', '--arch', 'x86_64', '--configure-only', '--source', source.path, '--sha256', source.sha256], disk);
    expectNoSpace(r, join(disk, 'sources', source.sha256), `unpacking ${source.path}`);
    expect(readdirSync(join(disk, 'sources'))).toEqual([]);
  });

  it('during the compile: exit 2, the line names the build entry, the entry is gone', async () => {
    // The shared cache's unpacked tree, read-only: the build is out of tree, in the tmpfs.
    const tree = source.tree;
    // Room for the configured tree (about 1 MiB), not for the objects.
    const disk = smallDisk('compile', 12 * MiB);
    const r = await cli(['build', '--arch', 'x86_64', '--source', tree], disk);
    const path = /^capsem-kernel: (\S+): no space/.exec(errorLine(r.stderr))?.[1];
    expect(path, r.stderr.slice(-3000)).toMatch(new RegExp(`^${join(disk, 'builds')}/[0-9a-f]{64}$`));
    expectNoSpace(r, path!, 'building the kernel');
    expect(readdirSync(join(disk, 'builds'))).toEqual([]);
  });

  it('during mksquashfs: exit 2, the line names the rootfs entry, no image or staging tree is left', async () => {
    // The images' sizes, from a view with room. Made in the shared cache first: built only inside a view, the
    // node download is gone again, and the tight view below would fill up with it before mksquashfs (a fresh machine).
    await inSharedCache(['rootfs', '--arch', 'x86_64', '--json'], NODE_LAYOUT);
    const roomy = overlayCache();
    overlays.push(roomy);
    // The node layout (~100 MiB): an image large against the few MiB of slack below (the default is ~5 MiB).
    const probe = await roomy.run(['rootfs', '--arch', 'x86_64', '--json'], NODE_LAYOUT);
    expect(probe.code, probe.stderr.slice(-2000)).toBe(0);
    const m = JSON.parse(probe.stdout) as { squashfs: { path: string; sizeBytes: number }; files: { sizeBytes?: number }[] };
    const staging = m.files.reduce((n, f) => n + (f.sizeBytes ?? 0), 0);
    const entry = dirname(m.squashfs.path);

    // Room for the staging tree and half the image.
    const tight = overlayCache({ upperBytes: staging + Math.floor(m.squashfs.sizeBytes / 2) + 8 * MiB });
    overlays.push(tight);
    tight.shell(`rm -f ${JSON.stringify(join(entry, 'manifest.json'))}`); // the entry must be rebuilt here
    const r = await tight.run(['rootfs', '--arch', 'x86_64'], NODE_LAYOUT);
    expect(r.stderr).toMatch(/rootfs x86_64: mksquashfs\n/); // the staging tree fitted; the image did not
    const name = entry.split('/').at(-1)!;
    expectNoSpace(r, entry, `building the rootfs ${name}`);
    expect(tight.upperFiles().filter((f) => f.startsWith(`rootfs/${name}.`) || f.startsWith(`rootfs/${name}/`))).toEqual([]);
  });
});
