import type { CheckName } from './checks.ts';
import type { Rule } from './define.ts';
import { ARCH_HARDENING } from './rules/arch-hardening.ts';
import { BEYOND_SPEC } from './rules/beyond-spec.ts';
import { CMDLINE } from './rules/cmdline.ts';
import { DISABLED_SUBSYSTEMS } from './rules/disabled-subsystems.ts';
import { GUEST_PROPERTIES } from './rules/guest.ts';
import { KSPP_CMDLINE, KSPP_KCONFIG } from './rules/kspp.ts';
import { MEMORY_MITIGATIONS } from './rules/memory-mitigations.ts';

// The hardening policy: one rule per Kconfig symbol, command line parameter or
// guest property, one file per section. Order here is the order of the
// generated defconfig, command line and docs.
const RULE_TABLE = [
  ...DISABLED_SUBSYSTEMS,
  ...MEMORY_MITIGATIONS,
  ...ARCH_HARDENING,
  ...BEYOND_SPEC,
  ...KSPP_KCONFIG,
  ...CMDLINE,
  ...KSPP_CMDLINE,
  ...GUEST_PROPERTIES,
] as const;

export type RuleId = (typeof RULE_TABLE)[number]['id'];
/** The rules, widened for iteration (the literal tables only feed the RuleId type). */
export const RULES: readonly Rule<RuleId, CheckName>[] = RULE_TABLE;
