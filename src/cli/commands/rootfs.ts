import { relative } from 'node:path';
import { type GuestImages, buildRootfs, exportImages } from '../../guest/index.ts';
import { type IO, defineCommand } from '../command.ts';
import { BASE_ARGS, VARIANT_ARG, rootfsOptions } from '../args.ts';
import { describeBase, mib } from '../report.ts';
import { ARCHS } from '../../policy/index.ts';

function describeImages(g: GuestImages, io: IO): string {
  const rel = (p: string) => (p.startsWith(io.cwd) ? relative(io.cwd, p) : p);
  const m = g.manifest;
  const lines = [
    `rootfs ${g.arch} (variant ${g.variant.id}) ${g.cached ? 'from the cache' : 'built'}`,
    `  squashfs   ${rel(g.squashfs.path)}  ${g.squashfs.sizeBytes} bytes (${mib(g.squashfs.sizeBytes)})  sha256 ${g.squashfs.sha256.slice(0, 16)}`,
    `  initramfs  ${rel(g.initramfs.path)}  ${g.initramfs.sizeBytes} bytes (${mib(g.initramfs.sizeBytes)})  sha256 ${g.initramfs.sha256.slice(0, 16)}`,
    `  files      ${m.files.length} in the squashfs, ${m.initramfsFiles.length} in the initramfs; inputs: ${m.inputs.filter((i) => !i.name.startsWith('/')).map((i) => i.name).join(', ')}`,
    `  enforced   ${m.enforced.length ? m.enforced.join('; ') : 'nothing to change'}`,
    `  verified   ${m.findings.length ? `${m.findings.length} finding(s) (${m.base ? 'the base as found' : 'mutant'}): ${m.findings.join('; ')}` : 'the image re-verified clean (no setuid/setgid, capsem binaries 0555 root, no sshd/cron/systemd)'}`,
  ];
  if (m.base) return describeBase(g) + lines.join('\n') + '\n';
  if (m.findings.length || g.variant.id !== 'default') lines.unshift(`UNSAFE TEST GUEST (${g.variant.description}): never use it outside tests`);
  return lines.join('\n') + '\n';
}

export default defineCommand({
  name: 'rootfs',
  summary: 'Build the guest squashfs root and initramfs (cached)',
  description: `
Builds the guest's immutable root: a squashfs (metadata zstd, data stored
uncompressed for fast emulated boots; reproducible: fixed times, sorted) of a
base (ours: Debian's static busybox and a passwd) plus the capsem layer:
capsem-init, the doctor compiled to bytecode on its static runtime
capsem-doctor-rt (dist/capsem-doctor.qjs.js: run \`npm run build\`), its static
probe and capsem's own static busybox under /usr/lib/capsem. The builder
enforces the guest rules on our base (strips setuid/setgid bits, capsem
binaries 0555 root, refuses sshd/cron/systemd), then re-verifies the image
itself and fails if anything is wrong.

Also builds the initramfs (capsem-init as /init and its plan, cpio newc, gzip,
reproducible) that mounts the squashfs under a tmpfs overlay at boot.

--base PATH builds the image on your own root instead of ours: a directory, a
tar archive (also \`docker export\` output, any compression), a \`docker save\`
archive (layers applied in order, whiteouts honoured) or a squashfs. The
capsem layer (capsem-init, the doctor on its static runtime, the probe, a
static busybox under /usr/lib/capsem) is added to it; nothing of your image's
runs before the doctor. Every finding in your root is reported first, with
its path and the doctor check that fails on it: setuid/setgid files, file
capabilities, sshd/cron/systemd files, writable directories of the capsem
binaries. Without --enforce they are kept (exit 1: the doctor in that guest
fails on exactly those); --enforce fixes them, lists each change and checks
again. Run as root (owners and capabilities are kept as they are).

Both are cached under $CAPSEM_CACHE_DIR or ~/.cache/capsem-kernel/rootfs by a
hash of every input; --out copies the images and manifest.json to DIR.

Exit codes: 0 built; 1 the image breaks a guest rule (a --base root kept as
found: the image is built all the same); 2 a missing tool or input.`,
  args: {
    arch: { type: 'string', description: 'Guest architecture', choices: ARCHS },
    out: { type: 'string', description: 'Copy rootfs.squashfs, initramfs.cpio.gz and manifest.json here', valueHint: 'DIR' },
    json: { type: 'boolean', description: 'Print the manifest as JSON on stdout (the text report goes to stderr)' },
    ...BASE_ARGS,
    ...VARIANT_ARG,
  },
  examples: [
    'capsem-kernel rootfs --arch x86_64',
    'capsem-kernel rootfs --arch arm64 --out /tmp/guest --json',
    'capsem-kernel rootfs --arch x86_64 --base debian.tar',
    'capsem-kernel rootfs --arch x86_64 --base debian.tar --enforce',
  ],
  async run({ args, io }) {
    const images = await buildRootfs(rootfsOptions(args, io, 'rootfs'));
    (args.json ? io.stderr : io.stdout)(describeImages(images, io));
    if (args.out !== undefined) {
      const written = await exportImages(images, args.out);
      (args.json ? io.stderr : io.stdout)(`  copied     ${written.join(', ')}\n`);
    }
    if (args.json) io.stdout(JSON.stringify(images.manifest, null, 2) + '\n');
    return images.manifest.base && images.manifest.findings.length ? 1 : 0;
  },
});
