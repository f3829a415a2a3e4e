import { resolve } from 'node:path';
import { type GuestVariant, type RootfsOptions, DEFAULT_TIMEOUT_MS, MUTANTS, composeVariants } from '../guest/index.ts';
import {
  ARCHS,
  DEFAULT_KERNEL,
  DEFAULT_TOOLCHAIN,
  KERNELS,
  TOOLCHAINS,
  type Arch,
  isKernelVersion,
  type KernelSeries,
  parseKernelSeries,
} from '../policy/index.ts';
import { UsageError } from '../util/errors.ts';
import type { IO } from './command.ts';

// The argument sets several commands share, and their parsers: one place, so
// `--kernel` or `--accel` mean the same thing on every verb.

/** The target flags shared by defconfig, cmdline and audit. */
export const TARGET_ARGS = {
  arch: { type: 'string', description: 'Target architecture', choices: ARCHS },
  kernel: {
    type: 'string',
    description: `Kernel series: verified ${KERNELS.join(', ')}; another resolves names by the policy's version ranges, unverified`,
    valueHint: 'MAJOR.MINOR',
    default: DEFAULT_KERNEL,
  },
  toolchain: { type: 'string', description: 'Compiler the kernel is built with', choices: TOOLCHAINS, default: DEFAULT_TOOLCHAIN },
} as const;

export function requireArch(arch: Arch | undefined, verb: string): Arch {
  if (arch === undefined) throw new UsageError(`${verb}: --arch is required (${ARCHS.join(' or ')})`);
  return arch;
}

/** --kernel as a series, or one usage line (audit reports unverified names itself, so it needs no warning). */
export function parseKernelArg(kernel: string, verb: string): KernelSeries {
  const series = parseKernelSeries(kernel);
  if (series === undefined) throw new UsageError(`${verb}: --kernel ${kernel} is not a kernel series (MAJOR.MINOR, e.g. 6.6)`);
  return series;
}

/**
 * --kernel: any MAJOR.MINOR. A series outside KERNELS still gets every rule's name
 * from its version range, but nobody checked those names against its Kconfig tree:
 * say so on stderr (the build's survival check still catches a wrong name).
 */
export function requireKernel(kernel: string, verb: string, io: IO): KernelSeries {
  const series = parseKernelArg(kernel, verb);
  if (!isKernelVersion(series)) {
    io.stderr(
      `${verb}: warning: Linux ${series} is not a verified version (${KERNELS.join(', ')}): the policy's symbol names ` +
        `for it come from their version ranges and were not checked against a ${series} Kconfig tree\n`,
    );
  }
  return series;
}

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

const MUTANT_IDS = Object.values(MUTANTS).map((m) => m.id);

/** `--unsafe-variant a,b` -> the composed test variant (undefined: the real guest). */
export function parseVariant(value: string | undefined, verb: string): GuestVariant | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(',').filter(Boolean);
  const byId = new Map<string, GuestVariant>(Object.values(MUTANTS).map((m) => [m.id, m]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length || ids.length === 0) {
    throw new UsageError(`${verb}: --unsafe-variant: unknown ${unknown.join(', ') || '(none given)'} (one or more of ${MUTANT_IDS.join(', ')})`);
  }
  return composeVariants(...ids.map((id) => byId.get(id)!));
}

export const VARIANT_ARG = {
  'unsafe-variant': {
    type: 'string',
    description: `TEST ONLY, UNSAFE GUEST: build a mutant (comma-separated: ${MUTANT_IDS.join(', ')})`,
    valueHint: 'ID,...',
  },
} as const;

export const BASE_ARGS = {
  base: {
    type: 'string',
    description: 'Your own root filesystem instead of ours: a directory, a tar archive (docker export), a docker save archive or a squashfs; the capsem layer is added to it',
    valueHint: 'PATH',
  },
  enforce: { type: 'boolean', description: 'With --base: fix what breaks the guest rules (strip setuid/setgid and file capabilities, remove sshd/cron/systemd files), listing each change' },
} as const;

/** The guest image flags (--arch, --unsafe-variant, --base/--enforce) as buildRootfs options, its progress on stderr. */
export function rootfsOptions(args: { arch?: Arch; 'unsafe-variant'?: string; base?: string; enforce?: boolean }, io: IO, verb: string): RootfsOptions {
  const arch = requireArch(args.arch, verb);
  const variant = parseVariant(args['unsafe-variant'], verb);
  return { arch, ...(variant ? { variant } : {}), ...parseBase(args, io.cwd, verb), signal: io.signal, onProgress: (m) => io.stderr(`${m}\n`) };
}

/** --base/--enforce as buildRootfs options (the path resolved against the working directory). */
export function parseBase(args: { base?: string | undefined; enforce?: boolean | undefined }, cwd: string, verb: string): { base?: string; enforce?: boolean } {
  if (args.base === undefined) {
    if (args.enforce) throw new UsageError(`${verb}: --enforce applies to a --base root`);
    return {};
  }
  return { base: resolve(cwd, args.base), enforce: args.enforce ?? false };
}
