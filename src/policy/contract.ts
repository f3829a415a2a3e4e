// The boot command line as a contract, not a checklist: the complete set of
// tokens a guest may boot with, per arch. The policy's parameters, plus each
// token the launcher adds for the machine model or the run, each with its
// reason. Anything else — `nopti` after `pti=on`, `rw` after `ro`, an unlisted
// `sysctl.*`, arguments after `--` — is a violation that names the token. The
// host audit (`audit --cmdline`) and the doctor's test_kernel_cmdline_exact
// use this one implementation.

import { parsedPolicyCmdline } from './boot.ts';
import { type ParsedCmdline, normalizeParamName } from './cmdline.ts';
import type { Arch, KernelSeries } from './define.ts';

/** Who puts a token on the command line. */
type TokenOrigin = 'policy' | 'machine' | 'runner' | 'boot' | 'qemu';

export interface ContractToken {
  /** Normalized parameter name (normalizeParamName). */
  key: string;
  /** `true`: a bare flag; a string: exactly that value; a RegExp: a value of that shape (made per boot). */
  value: true | string | RegExp;
  origin: TokenOrigin;
  reason: string;
  /** Must be there (a booted guest: every token but the optional ones; an audited line: the policy's). */
  required: boolean;
  /** May appear more than once (QEMU adds one per device). */
  repeatable?: boolean;
}

/** The per-boot nonce: the doctor's verdict carries it back, so a verdict recorded on another boot is rejected. */
export const NONCE_PARAM = 'capsem.nonce';
const NONCE_SHAPE = /^[0-9a-f]{32}$/;
/** Unknown to the kernel, so handed to init as an environment variable: `boot --shell` asks capsem-init for a console shell. */
export const SHELL_PARAM = 'capsem_shell';

interface LauncherToken extends Omit<ContractToken, 'required'> {
  archs?: readonly Arch[];
  /** Only on some boots (e.g. --shell). */
  optional?: boolean;
}

/** What the launcher (src/guest) adds to the policy's line, in the order it adds them. */
export const LAUNCHER_TOKENS: readonly LauncherToken[] = [
  {
    key: 'reboot', value: 't', archs: ['x86_64'], origin: 'machine',
    reason: 'microvm has neither ACPI nor a keyboard controller: the guest reboot (its power-off under -no-reboot) must be a triple fault',
  },
  {
    key: 'panic', value: '-1', origin: 'runner',
    reason: 'a guest panic reboots at once, ending the VM, instead of hanging until the wall-clock limit',
  },
  {
    key: NONCE_PARAM, value: NONCE_SHAPE, origin: 'boot',
    reason: 'fresh random value per boot: the verdict carries it, so the host rejects a verdict from another boot (a dotted name the kernel ignores and does not hand to init)',
  },
  {
    key: SHELL_PARAM, value: '1', origin: 'boot', optional: true,
    reason: '`boot --shell`: capsem-init gives the console a shell after the doctor has sent its verdict',
  },
  {
    key: 'virtio_mmio.device', value: /^\d+[KMG]?@0x[0-9a-f]+:\d+(:\d+)?$/, origin: 'qemu', archs: ['x86_64'], repeatable: true,
    optional: true,
    reason: 'QEMU microvm without ACPI describes each virtio-mmio transport on the command line (size@address:irq)',
  },
];

/** The launcher's fixed tokens for `arch`, as text, in order (the nonce and optional ones are added per boot). */
export function launcherCmdline(arch: Arch): string[] {
  return LAUNCHER_TOKENS.filter((t) => (!t.archs || t.archs.includes(arch)) && typeof t.value === 'string' && !t.optional).map(
    (t) => `${t.key}=${t.value as string}`,
  );
}

/**
 * The contract for one target. `booted`: a command line a guest really booted with
 * (the launcher's tokens and the nonce must be there); otherwise an audited line, where
 * the launcher's tokens may be there but only the policy's must.
 */
export function cmdlineContract(arch: Arch, kernel: KernelSeries, opts: { booted: boolean }): ContractToken[] {
  const policy = parsedPolicyCmdline(arch, kernel).tokens.map(
    (t): ContractToken => ({
      key: normalizeParamName(t.key),
      value: t.value ?? true,
      origin: 'policy',
      reason: 'the policy asks for it (capsem-kernel cmdline)',
      required: true,
    }),
  );
  const launcher = LAUNCHER_TOKENS.filter((t) => !t.archs || t.archs.includes(arch)).map(
    ({ archs: _archs, optional, ...t }): ContractToken => ({ ...t, required: opts.booted && !optional }),
  );
  return [...policy, ...launcher];
}

const show = (key: string, value: string | undefined) => (value === undefined ? key : `${key}=${value}`);
const want = (t: ContractToken) => (t.value === true ? t.key : typeof t.value === 'string' ? `${t.key}=${t.value}` : `${t.key}=<${t.value.source}>`);

export type ViolationKind = 'outside' | 'value' | 'missing';

export interface Violation {
  kind: ViolationKind;
  /** One line naming the token and what the contract says. */
  text: string;
}

/** Every way `parsed` departs from `contract` (empty when it is exactly the contract). */
export function contractViolations(parsed: ParsedCmdline, contract: readonly ContractToken[]): Violation[] {
  const out: Violation[] = [];
  const byKey = new Map(contract.map((t) => [t.key, t]));
  const seen = new Map<string, number>();
  for (const tok of parsed.tokens) {
    const key = normalizeParamName(tok.key);
    const entry = byKey.get(key);
    const text = show(tok.key, tok.value);
    if (!entry) {
      out.push({ kind: 'outside', text: `${text}: not in the contract (neither the policy nor the launcher adds ${key})` });
      continue;
    }
    seen.set(key, (seen.get(key) ?? 0) + 1);
    const ok =
      entry.value === true
        ? tok.value === undefined
        : tok.value !== undefined && (typeof entry.value === 'string' ? tok.value === entry.value : entry.value.test(tok.value));
    if (!ok) out.push({ kind: 'value', text: `${text}: the contract has ${want(entry)} (${entry.origin})` });
  }
  for (const [key, n] of seen) {
    if (n > 1 && !byKey.get(key)!.repeatable) out.push({ kind: 'value', text: `${key}: given ${n} times; the contract has it once (the kernel keeps the last)` });
  }
  for (const t of contract) {
    if (t.required && !seen.has(t.key)) out.push({ kind: 'missing', text: `${want(t)}: missing (${t.origin}: ${t.reason})` });
  }
  if (parsed.initArgs.length) {
    out.push({ kind: 'outside', text: `-- ${parsed.initArgs.join(' ')}: arguments after -- go to init; the contract has none` });
  }
  return out;
}
