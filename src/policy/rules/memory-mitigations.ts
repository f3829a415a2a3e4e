import type { CheckName } from '../checks.ts';
import { type Rule, defineRules } from '../define.ts';
import { COMPILE_TIME } from './shared.ts';

// The spec's "Memory mitigations" table.

export const MEMORY_MITIGATIONS = defineRules([
  {
    id: 'init-on-alloc', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Heap zeroing', symbol: 'INIT_ON_ALLOC_DEFAULT_ON', value: 'y',
    rationale: 'Every kmalloc returns zeroed memory; prevents info leaks.',
    checks: ['test_kernel_log_hardening'],
    proofs: ['SLAB_INIT_ON_ALLOC', 'BUDDY_INIT_ON_ALLOC'],
  },
  {
    id: 'slub', kind: 'kconfig', section: 'memory-mitigations', source: 'capsem',
    title: 'SLUB allocator', symbol: 'SLUB', value: 'y',
    rationale:
      'The slab hardening above (freelist randomization and hardening, random kmalloc caches, buckets) is written ' +
      'for SLUB. 6.1 still offers SLAB and SLOB in a choice (default SLUB), so it is pinned; SLOB was removed in ' +
      '6.4 and SLAB in 6.8, so on 6.12 SLUB is the only allocator (def_bool y).',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'no-slub-tiny', kind: 'kconfig', section: 'memory-mitigations', source: 'capsem',
    title: 'SLUB allocator',
    symbol: [{ absent: 'SLUB_TINY was added in 6.2' }, { from: '6.2', name: 'SLUB_TINY' }], value: 'n',
    rationale: 'SLUB_TINY (a memory-saving SLUB) drops per-cache hardening: RANDOM_KMALLOC_CACHES and SLAB_BUCKETS depend on !SLUB_TINY.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'slab-freelist-random', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Slab freelist randomization', specName: 'SLAB_FREELIST_RANDOMIZE', symbol: 'SLAB_FREELIST_RANDOM', value: 'y',
    rationale:
      'Randomizes freed slab object order; defeats heap spraying. The spec writes SLAB_FREELIST_RANDOMIZE; the ' +
      'real symbol (mm/Kconfig, 6.1 and 6.12) is SLAB_FREELIST_RANDOM.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'slab-freelist-hardened', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Slab freelist hardening', symbol: 'SLAB_FREELIST_HARDENED', value: 'y',
    rationale: 'Validates freelist metadata; detects heap corruption.',
    proofs: ['SLAB_FREE_DOUBLE', 'SLAB_FREE_CROSS'],
  },
  {
    id: 'shuffle-page-allocator', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Page allocator shuffle', symbol: 'SHUFFLE_PAGE_ALLOCATOR', value: 'y',
    rationale:
      'Randomizes page allocation order. The option only builds the shuffle code; it runs when page_alloc.shuffle=1 ' +
      'is on the command line (cmdline-page-alloc-shuffle).',
    checks: ['test_kernel_defaults_in_effect'],
  },
  {
    id: 'hardened-usercopy', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Hardened usercopy', symbol: 'HARDENED_USERCOPY', value: 'y',
    rationale: 'Validates copy_to_user/copy_from_user bounds.',
    checks: ['test_boot_params_consumed'],
  },
  {
    id: 'strict-kernel-rwx', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Strict kernel RWX', symbol: 'STRICT_KERNEL_RWX', value: 'y',
    rationale: 'Enforces W^X on kernel memory pages.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'vmap-stack', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Virtual mapped stacks', symbol: 'VMAP_STACK', value: 'y',
    rationale: 'Kernel stacks as virtual memory; detects overflow via guard pages.',
    proofs: ['STACK_GUARD_PAGE_LEADING', 'STACK_GUARD_PAGE_TRAILING'],
  },
  {
    id: 'randomize-base', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'KASLR', symbol: 'RANDOMIZE_BASE', value: 'y',
    rationale:
      'Randomizes kernel load address. On x86_64 it depends on RELOCATABLE, which allnoconfig turns off: without ' +
      'it RANDOMIZE_BASE is silently dropped, so it is requested too.',
    requires: [{ symbol: 'RELOCATABLE', value: 'y' }],
    unobservable: 'with KALLSYMS=n and kptr_restrict no kernel address reaches userspace to compare across boots',
  },
  {
    id: 'stackprotector', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Stack protector', symbol: 'STACKPROTECTOR', value: 'y',
    rationale: 'Stack canaries on functions with character arrays.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'stackprotector-strong', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Stack protector', symbol: 'STACKPROTECTOR_STRONG', value: 'y',
    rationale: 'Stack canaries on all functions with local arrays or address-taken locals.',
    proofs: ['CORRUPT_STACK_STRONG'],
  },
  {
    id: 'fortify-source', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'FORTIFY_SOURCE', symbol: 'FORTIFY_SOURCE', value: 'y',
    rationale: 'Compile-time buffer overflow detection.',
    proofs: ['FORTIFY_STRSCPY', 'FORTIFY_STR_OBJECT', 'FORTIFY_STR_MEMBER', 'FORTIFY_MEM_OBJECT'],
  },
  {
    id: 'dmesg-restrict', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'dmesg restriction', symbol: 'SECURITY_DMESG_RESTRICT', value: 'y',
    rationale: 'Only root can read kernel log.',
    checks: ['test_dmesg_restricted'],
  },
  {
    id: 'no-compat-brk', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Heap ASLR', symbol: 'COMPAT_BRK', value: 'n',
    rationale: 'Enables full heap randomization (brk is randomized; COMPAT_BRK=y keeps it fixed for libc5).',
    checks: ['test_kernel_defaults_in_effect'],
  },
  {
    id: 'seccomp', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Seccomp', symbol: 'SECCOMP', value: 'y',
    rationale: 'Userspace syscall filtering (defense in depth).',
    checks: ['test_seccomp_available'],
  },
  {
    id: 'seccomp-filter', kind: 'kconfig', section: 'memory-mitigations', source: 'spec',
    title: 'Seccomp', symbol: 'SECCOMP_FILTER', value: 'y',
    rationale: 'Userspace syscall filtering with BPF programs (defense in depth).',
    checks: ['test_seccomp_available'],
  },
]) satisfies readonly Rule<string, CheckName>[];
