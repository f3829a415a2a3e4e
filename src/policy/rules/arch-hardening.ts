import type { CheckName } from '../checks.ts';
import { type Rule, defineRules } from '../define.ts';
import { COMPILE_TIME } from './shared.ts';

// The spec's architecture-specific hardening table (arm64 and x86_64).

const HARDEN_BP_GONE = {
  absent:
    'HARDEN_BRANCH_PREDICTOR was removed in 5.10 by the arm64 Spectre rework (arch/arm64/kernel/proton-pack.c): ' +
    'branch predictor hardening is always built in',
};

export const ARCH_HARDENING = defineRules([
  {
    id: 'arm64-bti', kind: 'kconfig', section: 'arch-hardening', source: 'spec', archs: ['arm64'],
    title: 'Branch Target Identification', symbol: 'ARM64_BTI', value: 'y',
    rationale:
      'Restricts indirect branch targets (BTI landing pads) for userspace that is built with BTI. ARM64_BTI is ' +
      'the user-space part; the kernel\'s own code is protected only by ARM64_BTI_KERNEL (rule arm64-bti-kernel), ' +
      'which needs clang.',
    checks: ['test_cpu_features'],
  },
  {
    id: 'arm64-bti-kernel', kind: 'kconfig', section: 'arch-hardening', source: 'spec', archs: ['arm64'],
    title: 'Branch Target Identification', symbol: 'ARM64_BTI_KERNEL', value: 'y',
    toolchain: 'clang',
    rationale:
      'BTI for the kernel itself. arch/arm64/Kconfig (6.1 and 6.12): "depends on !CC_IS_GCC" because of GCC bug ' +
      '106671, so it exists only with clang; under gcc it is waived.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'arm64-ptr-auth', kind: 'kconfig', section: 'arch-hardening', source: 'spec', archs: ['arm64'],
    title: 'Pointer Authentication', symbol: 'ARM64_PTR_AUTH', value: 'y',
    rationale: 'Pointer authentication for userspace (signed return addresses); defeats ROP chains.',
    checks: ['test_cpu_features'],
  },
  {
    id: 'arm64-ptr-auth-kernel', kind: 'kconfig', section: 'arch-hardening', source: 'spec', archs: ['arm64'],
    title: 'Pointer Authentication', symbol: 'ARM64_PTR_AUTH_KERNEL', value: 'y',
    rationale:
      'Signs the kernel\'s own return addresses; defeats ROP chains. Needs a compiler with ' +
      '-mbranch-protection=pac-ret and binutils >= 2.33.1 (Debian 12 gcc 12 / binutils 2.40 qualify).',
    proofs: ['CORRUPT_PAC'],
  },
  {
    id: 'arm64-unmap-kernel-at-el0', kind: 'kconfig', section: 'arch-hardening', source: 'spec', archs: ['arm64'],
    title: 'Kernel unmapping at EL0', symbol: 'UNMAP_KERNEL_AT_EL0', value: 'y',
    rationale:
      'Removes kernel pages from userspace page tables (arm64 KPTI, Meltdown). Still its own symbol in 6.1 and ' +
      '6.12, but its prompt is "if EXPERT": without EXPERT it is default y and invisible.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'arm64-harden-branch-predictor', kind: 'kconfig', section: 'arch-hardening', source: 'spec', archs: ['arm64'],
    title: 'Branch predictor hardening', specName: 'HARDEN_BRANCH_PREDICTOR', symbol: [{ name: 'HARDEN_BRANCH_PREDICTOR' }, { from: '5.10', ...HARDEN_BP_GONE }],
    value: 'y',
    rationale:
      'Flushes branch predictor on context switch. The symbol no longer exists: since 5.10 the arm64 Spectre-v2 ' +
      'mitigation is always built in and reported in /sys/devices/system/cpu/vulnerabilities/spectre_v2.',
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
  {
    id: 'x86-page-table-isolation', kind: 'kconfig', section: 'arch-hardening', source: 'spec', archs: ['x86_64'],
    title: 'Page Table Isolation (KPTI)', specName: 'PAGE_TABLE_ISOLATION',
    symbol: [{ name: 'PAGE_TABLE_ISOLATION' }, { from: '6.9', name: 'MITIGATION_PAGE_TABLE_ISOLATION' }], value: 'y',
    rationale:
      'Meltdown mitigation; separate kernel/user page tables. Renamed MITIGATION_PAGE_TABLE_ISOLATION in 6.9; ' +
      'lives under the CPU_MITIGATIONS menu, which allnoconfig switches off.',
    requires: [{ symbol: 'CPU_MITIGATIONS', value: 'y' }],
    checks: ['test_cpu_vulnerabilities_mitigated', 'test_cpu_features'],
  },
  {
    id: 'x86-retpoline', kind: 'kconfig', section: 'arch-hardening', source: 'spec', archs: ['x86_64'],
    title: 'Retpoline', specName: 'RETPOLINE',
    symbol: [{ name: 'RETPOLINE' }, { from: '6.9', name: 'MITIGATION_RETPOLINE' }], value: 'y',
    rationale: 'Spectre v2 mitigation; replaces indirect branches. Renamed MITIGATION_RETPOLINE in 6.9.',
    requires: [{ symbol: 'CPU_MITIGATIONS', value: 'y' }],
    checks: ['test_cpu_vulnerabilities_mitigated'],
  },
]) satisfies readonly Rule<string, CheckName>[];
