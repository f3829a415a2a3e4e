import { existsSync } from 'node:fs';
import { IMAGE_FORMAT, manifestForImage } from '../../build/index.ts';
import { join, resolve } from 'node:path';
import { type BootResult, DEFAULT_TIMEOUT_MS, type KernelIdentity, bootGuest, buildRootfs, decideAccel, manifestIdentity, readHostFacts } from '../../guest/index.ts';
import { ARCHS, type Arch } from '../../policy/index.ts';
import { InputError, UsageError } from '../../util/errors.ts';
import { defineCommand } from '../command.ts';
import { requireArch } from './defconfig.ts';
import { VARIANT_ARG, parseVariant } from './rootfs.ts';

export const BOOT_ARGS = {
  accel: {
    type: 'string',
    description: 'auto: KVM only where it can really run the guest, else TCG (says why); kvm fails at once where unusable',
    choices: ['auto', 'kvm', 'tcg'],
    default: 'auto',
  },
  timeout: { type: 'string', description: `Wall-clock limit in seconds; the VM is killed after it (default ${DEFAULT_TIMEOUT_MS / 1000})`, valueHint: 'S' },
  console: { type: 'boolean', description: 'Stream the guest console to stderr while it runs' },
} as const;

export function parseTimeout(value: string | undefined, verb: string): number | undefined {
  if (value === undefined) return undefined;
  const s = Number(value);
  if (!Number.isFinite(s) || s <= 0) throw new UsageError(`${verb}: --timeout must be a positive number of seconds (got '${value}')`);
  return s * 1000;
}

/** The kernel `capsem-kernel build` left in out/<arch>. */
function builtKernel(arch: Arch, cwd: string): string {
  const manifest = join(cwd, 'out', arch, 'manifest.json');
  if (!existsSync(manifest)) {
    throw new UsageError(`boot: no --kernel and no ${join('out', arch, 'manifest.json')}: run \`capsem-kernel build --arch ${arch}\` (or \`up\`) first`);
  }
  return join(cwd, 'out', arch, IMAGE_FORMAT[arch]);
}

/** Which kernel `image` is: the build manifest beside it (matching its sha256), or unidentified. */
async function identify(image: string, allowUnknown: boolean): Promise<KernelIdentity> {
  const found = await manifestForImage(image);
  if (found) return manifestIdentity(found.path, found.manifest);
  return { kind: 'unknown', why: `no build manifest beside ${image} names this image (sha256)`, allow: allowUnknown };
}

const ms = (n: number | undefined) => (n === undefined ? '?' : n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n} ms`);

/**
 * Guest-supplied text made safe for a terminal: control characters (C0, DEL, C1)
 * become visible escapes, so a file name with escape codes cannot redraw the
 * operator's screen. The JSON output keeps the original (escaped by JSON).
 */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The doctor's verdict and the boot, as text: every non-pass check with its evidence (`allChecks`: passes too, one line each). */
export function describeBoot(r: BootResult, allChecks = false): string {
  return describeLines(r, allChecks).map(printable).join('\n') + '\n';
}

function describeLines(r: BootResult, allChecks: boolean): string[] {
  const t = r.timings;
  const lines = [
    r.healthy ? `guest ${r.arch}: HEALTHY` : `guest ${r.arch}: UNHEALTHY: ${r.reason ?? 'unknown'}`,
    `  accel     ${r.accel.accel} (${r.accel.reason})`,
  ];
  const p = t.phases ?? {};
  const steps = [
    ['QEMU start', undefined],
    ['kernel', p.qemuToKernel],
    ['init', p.kernelToInit],
    ['doctor', p.initToDoctor],
    ['verdict', p.doctor],
  ] as const;
  const chain = steps.map(([name, d], i) => (i === 0 ? name : `-> ${name} ${ms(d)}`)).join(' ');
  lines.push(`  boot      ${chain} (to init ${ms(t.msToInit)}, to verdict ${ms(t.msToVerdict)}; VM ran ${ms(t.msToExit)})`);
  const rep = r.report;
  if (rep) {
    lines.push(`  kernel    ${rep.kernelRelease} (${rep.boot.kernelVersion}), boot id ${rep.boot.bootId}, nonce ${rep.boot.nonce ?? '(none)'}`);
    lines.push(`  doctor    ${rep.summary.passed} passed, ${rep.summary.failed} failed, ${rep.summary.errors} errors (${rep.checks.length} checks)`);
    for (const c of rep.checks) {
      if (c.status === 'pass') {
        if (allChecks) lines.push(`    pass  ${c.name}`);
        continue;
      }
      lines.push(`    ${c.status.toUpperCase().padEnd(5)} ${c.name}${c.reason ? ` (${c.reason})` : ''}`);
      for (const e of c.evidence) lines.push(`          ${e}`);
    }
  }
  for (const w of r.warnings) lines.push(`  warning   ${w}`);
  if (!r.healthy && r.consoleTail) {
    lines.push('  console (last lines; logs only, never evidence):', ...r.consoleTail.split('\n').map((l) => `    | ${l}`));
  }
  return lines;
}

/** A boot result for --json: the verdict, the doctor's checks, timings; the console only when unhealthy. */
export function bootJson(r: BootResult): object {
  return {
    healthy: r.healthy,
    ...(r.reason ? { reason: r.reason } : {}),
    arch: r.arch,
    accel: r.accel.accel,
    accelReason: r.accel.reason,
    cmdline: r.cmdline,
    nonce: r.nonce,
    ...(r.warnings.length ? { warnings: r.warnings } : {}),
    timings: r.timings,
    ...(r.report ? { doctor: r.report } : {}),
    qemu: r.qemu,
    ...(r.healthy ? {} : { consoleTail: r.consoleTail }),
  };
}

export default defineCommand({
  name: 'boot',
  summary: 'Boot a kernel + rootfs under QEMU and collect the doctor verdict',
  description: `
Boots the guest under QEMU with no network device, the squashfs root as a
read-only virtio-blk disk (/dev/vda) and the policy's command line; capsem-init
runs the doctor first and sends its verdict over a dedicated virtio-serial port
(never the console). Healthy means a well-formed verdict arrived and every check
of the policy passed. A VM that hangs past --timeout is killed and reported
unhealthy with the console's last lines.

The kernel defaults to the one \`capsem-kernel build\` left in out/<arch>, the
rootfs and initramfs to \`capsem-kernel rootfs\` (built if needed, cached).

The verdict is bound to this boot and this kernel: the host puts a fresh
capsem.nonce on the command line, and rejects a verdict whose nonce, command
line (/proc/cmdline vs the line passed) or kernel release differs from what it
booted. The release names the kernel's config (6.12.117-capsem-<digest>); it is
compared with the build manifest beside the image. An image no manifest names
is unidentified and the guest unhealthy, unless --allow-unknown-kernel.

--shell hands the console to you after the doctor (no timeout): look around,
then exit the shell to power off.

Exit codes: 0 healthy; 1 unhealthy; 2 usage, missing input, or --accel kvm
where KVM cannot run this guest; 130 interrupted (the VM is stopped).`,
  args: {
    arch: { type: 'string', description: 'Guest architecture', choices: ARCHS },
    kernel: { type: 'string', description: 'Kernel image (default: out/<arch>, from `build`)', valueHint: 'IMAGE' },
    rootfs: { type: 'string', description: 'Squashfs root image (default: built by `rootfs`)', valueHint: 'IMAGE' },
    initramfs: { type: 'string', description: 'Initramfs (default: built by `rootfs`)', valueHint: 'IMAGE' },
    ...BOOT_ARGS,
    shell: { type: 'boolean', description: 'After the doctor, drop to a shell on the console (no timeout)' },
    'allow-unknown-kernel': {
      type: 'boolean',
      description: 'Accept a kernel no capsem build manifest names (your own kernel): a warning instead of unhealthy',
    },
    json: { type: 'boolean', description: 'Print the result as JSON on stdout (the text report goes to stderr)' },
    ...VARIANT_ARG,
  },
  examples: [
    'capsem-kernel boot --arch x86_64',
    'capsem-kernel boot --arch arm64 --kernel out/arm64/Image --json',
    'capsem-kernel boot --arch x86_64 --shell',
  ],
  async run({ args, io }) {
    const arch = requireArch(args.arch, 'boot');
    const variant = parseVariant(args['unsafe-variant'], 'boot');
    const timeoutMs = parseTimeout(args.timeout, 'boot');
    if (args.shell && args.json) throw new UsageError('boot: --shell gives the console to you: --json does not apply');
    // Decided before anything is built: --accel kvm where KVM cannot run the guest fails at once.
    const accel = decideAccel(args.accel, arch, readHostFacts());
    const kernel = resolve(io.cwd, args.kernel ?? builtKernel(arch, io.cwd));
    if (!existsSync(kernel)) throw new InputError(kernel, 'kernel image not found');
    const identity = await identify(kernel, args['allow-unknown-kernel']);
    let rootfs = args.rootfs && resolve(io.cwd, args.rootfs);
    let initramfs = args.initramfs && resolve(io.cwd, args.initramfs);
    if (!rootfs || !initramfs) {
      const images = await buildRootfs({ arch, ...(variant ? { variant } : {}), signal: io.signal, onProgress: (m) => io.stderr(`${m}\n`) });
      rootfs ??= images.squashfs.path;
      initramfs ??= images.initramfs.path;
    }
    if (args.shell) io.stderr(`boot: starting ${arch}; the console is yours after the doctor (exit the shell to power off)\n`);
    const result = await bootGuest({
      arch,
      kernel,
      identity,
      rootfs,
      initramfs,
      ...(variant ? { variant } : {}),
      accel,
      shell: args.shell,
      ...(timeoutMs ? { timeoutMs } : {}),
      signal: io.signal,
      ...(args.console && !args.shell ? { onConsole: (t: string) => io.stderr(t) } : {}),
    });
    // The report is the output; with --json the JSON is, and the text goes to stderr.
    (args.json ? io.stderr : io.stdout)(describeBoot(result));
    if (args.json) io.stdout(JSON.stringify(bootJson(result), null, 2) + '\n');
    return result.healthy ? 0 : 1;
  },
});
