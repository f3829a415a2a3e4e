import type { CheckName } from '../checks.ts';
import { type Rule, defineRules } from '../define.ts';
import { COMPILE_TIME, UNKNOWN_PARAM } from './shared.ts';

// The KSPP recommendations (src/policy/kspp.ts) no other rule answered before
// issue #19: each is enforced for its real symbol per version, or waived with
// a reason about this VM. Kconfig rules sit with "beyond the spec", command line
// and sysctl rules with the boot command line.

const SYSCTL_CHECKS = ['test_kernel_cmdline_hardening', 'test_sysctl_hardening'] as const;
const RND_BITS_AT_BOOT = 'Sets at boot, so the doctor reads the value in effect back from /proc/sys/vm/mmap_rnd_bits, what is built in by rule';
const RND_BITS_SEEN =
  '/proc/sys/vm/mmap_rnd_bits shows the value in effect, which rule cmdline-sysctl-mmap-rnd-bits-<arch> also sets at boot ' +
  '(and the doctor reads back), so the guest cannot tell the built-in default apart; the host audit checks the .config';
const STRUCTLEAK_GONE =
  'the structleak plugin is gone after 6.12 (7.3 is the next tree checked): compilers initialize stack variables themselves';
const NO_MODULE_SIGNING = 'MODULES=n (rule no-modules): no module is signed or loaded, so the option does not exist';

export const KSPP_KCONFIG = defineRules([
  {
    id: 'proc-mem-no-force', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'No forced writes through /proc/PID/mem', symbol: 'PROC_MEM_NO_FORCE', value: 'y',
    rationale:
      'A /proc/PID/mem write never overrides page protections (FOLL_FORCE): a process holding the file cannot patch ' +
      'read-only code of itself or another. The choice defaults to PROC_MEM_ALWAYS_FORCE up to 6.12 and ' +
      'PROC_MEM_FORCE_PTRACE by 7.3; debuggers need it, and ptrace is off here (Yama scope 3). Debian backported it to 6.1.',
    unobservable:
      'observable by writing /proc/self/mem over a read-only mapping (EIO instead of success), which no doctor check does yet; ' +
      'rule cmdline-proc-mem-force-override pins it at boot and is checked',
  },
  {
    id: 'hardened-usercopy-default-on', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Hardened usercopy on by default',
    symbol: [
      { absent: 'HARDENED_USERCOPY_DEFAULT_ON is not in 6.1 or 6.12: hardened_usercopy is on whenever built in' },
      { from: '6.15', name: 'HARDENED_USERCOPY_DEFAULT_ON' },
    ],
    value: 'y',
    rationale:
      'Usercopy bounds checks on unless hardened_usercopy=off (default HARDENED_USERCOPY). Split out in 6.15 by its ' +
      'changelog; 7.3 is the first tree checked that has it. cmdline-hardened-usercopy pins it at boot as well.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'x86-cfi-no-auto-default', kind: 'kconfig', section: 'beyond-spec', source: 'kspp', archs: ['x86_64'],
    title: 'kCFI rather than FineIBT by default', toolchain: 'clang',
    symbol: [{ absent: 'CFI_AUTO_DEFAULT is not in 6.1 (FineIBT came with it; 6.12 is the oldest tree checked that has it)' }, { from: '6.12', name: 'CFI_AUTO_DEFAULT' }],
    value: 'n',
    rationale:
      'The build-time form of cfi=kcfi: FineIBT is not the boot default, because KSPP rates it weaker than pure kCFI. ' +
      '"depends on FINEIBT", which needs CFI_CLANG, so it exists only with clang.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'mmap-rnd-bits-x86', kind: 'kconfig', section: 'beyond-spec', source: 'kspp', archs: ['x86_64'],
    title: 'mmap randomisation at the arch maximum', symbol: 'ARCH_MMAP_RND_BITS', value: '32',
    rationale:
      'Userspace mmap bases get 32 random bits (ARCH_MMAP_RND_BITS_MAX on x86_64) instead of the minimum 28 that ' +
      'allnoconfig keeps: the ASLRn\'t brute force against large mappings needs 16 times more tries. Prompt "if EXPERT".',
    unobservable: RND_BITS_SEEN,
  },
  {
    id: 'mmap-rnd-bits-arm64', kind: 'kconfig', section: 'beyond-spec', source: 'kspp', archs: ['arm64'],
    title: 'mmap randomisation at the arch maximum', symbol: 'ARCH_MMAP_RND_BITS', value: '33',
    rationale:
      'Userspace mmap bases get 33 random bits instead of 18, the minimum allnoconfig keeps: 33 is ARCH_MMAP_RND_BITS_MAX ' +
      'with 4 KiB pages and a 48- or 52-bit VA (the configs built here). Prompt "if EXPERT".',
    unobservable: RND_BITS_SEEN,
  },
  {
    id: 'arm64-va-bits-48', kind: 'kconfig', section: 'beyond-spec', source: 'capsem', archs: ['arm64'],
    title: 'mmap randomisation at the arch maximum', symbol: 'ARM64_VA_BITS_48', value: 'y',
    rationale:
      'A 48-bit user address space (4-level tables) instead of the 39 bits 6.1\'s allnoconfig picks with 4 KiB pages: ' +
      'it lifts ARCH_MMAP_RND_BITS_MAX from 24 to the 33 that rule mmap-rnd-bits-arm64 asks for (Debian\'s own arm64 ' +
      'kernels use 48 bits).',
    waivers: [{
      when: { kernel: { from: '6.12' } },
      reason: 'the default there is ARM64_VA_BITS_52 (6.12 is the next tree checked), whose mmap randomisation maximum is 33 as well',
    }],
    unobservable: COMPILE_TIME,
  },
  {
    id: 'arm64-gcs', kind: 'kconfig', section: 'beyond-spec', source: 'kspp', archs: ['arm64'],
    title: 'Userspace shadow stacks (Guarded Control Stack)',
    symbol: [{ absent: 'ARM64_GCS was added in 6.13' }, { from: '6.13', name: 'ARM64_GCS' }], value: 'y',
    rationale:
      'Lets userspace built for GCS (glibc opt-in) keep its return addresses on a hardware-protected stack, the arm64 ' +
      'counterpart of X86_USER_SHADOW_STACK. Default y, but allnoconfig turns it off.',
    unobservable: 'needs an ARMv9.4 GCS CPU and GCS-enabled binaries (Apple silicon has none); the host audit covers it',
  },
  {
    id: 'x86-64bit', kind: 'kconfig', section: 'beyond-spec', source: 'kspp', archs: ['x86_64'],
    title: 'Full 64-bit kernel', symbol: 'X86_64', value: 'y',
    rationale:
      'KSPP: full 64-bit means PAE and the NX bit. def_bool y on 64BIT, which ARCH=x86_64 sets: it holds for every ' +
      'build here and is kept so an audited 32-bit config fails.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'random-trust-cpu', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Credit CPU and boot loader entropy',
    symbol: [{ name: 'RANDOM_TRUST_CPU' }, { from: '6.2', absent: 'RANDOM_TRUST_CPU was removed in 6.2: trusted unless random.trust_cpu=off' }],
    value: 'y',
    rationale: 'The CRNG is seeded from RDRAND/RNDR at once instead of waiting for other entropy; the ChaCha mixer is not hurt by a bad source.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'random-trust-bootloader', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Credit CPU and boot loader entropy',
    symbol: [
      { name: 'RANDOM_TRUST_BOOTLOADER' },
      { from: '6.2', absent: 'RANDOM_TRUST_BOOTLOADER was removed in 6.2: trusted unless random.trust_bootloader=off' },
    ],
    value: 'y',
    rationale: 'A boot-loader seed (arm64: the device tree\'s rng-seed from QEMU) is credited to the CRNG.',
    unobservable: COMPILE_TIME,
  },
  {
    id: 'page-poisoning', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Page poisoning', symbol: 'PAGE_POISONING', value: 'y',
    rationale: 'Fills freed pages with a pattern and checks it on allocation (with page_poison=1).',
    waivers: [{
      reason:
        'superseded by INIT_ON_FREE_DEFAULT_ON and init_on_free=1 (rules init-on-free, cmdline-init-on-free), which zero ' +
        'freed pages, as KSPP\'s own note says; poisoning would add a pattern check on every page allocation on top',
    }],
  },
  {
    id: 'page-poisoning-no-sanity', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Page poisoning',
    symbol: [{ name: 'PAGE_POISONING_NO_SANITY' }, { from: '5.11', absent: 'PAGE_POISONING_NO_SANITY was removed in 5.11' }], value: 'y',
    rationale: 'Poison without checking the pattern on allocation (cheaper).',
  },
  {
    id: 'page-poisoning-zero', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Page poisoning',
    symbol: [{ name: 'PAGE_POISONING_ZERO' }, { from: '5.11', absent: 'PAGE_POISONING_ZERO was removed in 5.11 (init_on_free zeroes instead)' }],
    value: 'y',
    rationale: 'Poison with zeros.',
  },
  {
    id: 'refcount-full', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Checked reference counts',
    symbol: [{ name: 'REFCOUNT_FULL' }, { from: '5.5', absent: 'REFCOUNT_FULL was removed in 5.5: refcount_t always saturates' }], value: 'y',
    rationale: 'refcount_t overflow and underflow cannot wrap into a use-after-free.',
  },
  {
    id: 'magic-sysrq-default-enable', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'SysRq limited to sync, remount and reboot', symbol: 'MAGIC_SYSRQ_DEFAULT_ENABLE', value: '0xb0',
    rationale: 'KSPP\'s 176 (0xb0): only the sync, remount read-only and reboot SysRq functions.',
    waivers: [{ reason: 'MAGIC_SYSRQ=n (rule no-magic-sysrq): there is no SysRq whose functions could be limited' }],
  },
  {
    id: 'module-sig-hash', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Signed modules', symbol: 'MODULE_SIG_HASH', value: '"sha512"',
    rationale: 'SHA-512 module signatures (derived from MODULE_SIG_SHA512).',
    waivers: [{ reason: NO_MODULE_SIGNING }],
  },
  {
    id: 'module-sig-key', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Signed modules', symbol: 'MODULE_SIG_KEY', value: '"certs/signing_key.pem"',
    rationale: 'A per-build signing key.',
    waivers: [{ reason: NO_MODULE_SIGNING }],
  },
  {
    id: 'gcc-plugin-structleak', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Initialized by-reference stack variables',
    symbol: [
      { name: 'GCC_PLUGIN_STRUCTLEAK' },
      { from: '7.3', absent: STRUCTLEAK_GONE },
    ],
    value: 'y',
    rationale: 'A gcc plugin that zero-initializes structures passed by reference, for gcc before 12.',
    waivers: [{
      reason:
        'it is the other answer of the stack-initialization choice, and the policy takes INIT_STACK_ALL_ZERO (rule ' +
        'init-stack-all-zero: gcc 12 zeroes every stack variable, a superset), as KSPP itself says for gcc >= 12',
    }],
  },
  {
    id: 'gcc-plugin-structleak-byref-all', kind: 'kconfig', section: 'beyond-spec', source: 'kspp',
    title: 'Initialized by-reference stack variables',
    symbol: [
      { name: 'GCC_PLUGIN_STRUCTLEAK_BYREF_ALL' },
      { from: '7.3', absent: STRUCTLEAK_GONE },
    ],
    value: 'y',
    rationale: 'The structleak choice entry that covers every by-reference variable.',
    waivers: [{ reason: 'a choice entry excluded by INIT_STACK_ALL_ZERO (rule init-stack-all-zero), which covers all stack variables' }],
  },
]) satisfies readonly Rule<string, CheckName>[];

export const KSPP_CMDLINE = defineRules([
  {
    id: 'cmdline-proc-mem-force-override', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'No forced writes through /proc/PID/mem', param: 'proc_mem.force_override', value: 'never',
    rationale: 'Pins the /proc/PID/mem policy at boot (early_param in fs/proc/base.c of 6.1, 6.12 and 7.3), with PROC_MEM_NO_FORCE (rule proc-mem-no-force).',
    checks: ['test_kernel_cmdline_hardening'],
  },
  {
    id: 'cmdline-hash-pointers', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'Pointers always hashed', param: 'hash_pointers', value: 'always',
    rationale: '%p keeps hashing addresses even if a debug option (slub_debug) would turn it off. Added in 6.17.',
    waivers: [{
      when: { kernel: { before: '6.17' } },
      reason:
        `the parameter was added in 6.17; before it only no_hash_pointers or slub_debug turn hashing off, and the command line contract admits neither; ${UNKNOWN_PARAM}`,
    }],
    checks: ['test_kernel_cmdline_hardening'],
  },
  {
    id: 'cmdline-slub-debug', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'SLUB red zones and consistency checks', param: 'slub_debug', value: 'ZF',
    rationale: 'Red zones around slab objects and checks on every free (KSPP: slow). Its P variant poisons freed objects.',
    waivers: [{
      reason:
        'before 6.17 slub_debug turns %p pointer hashing off (mm/slub.c calls no_hash_pointers_enable), leaking kernel addresses ' +
        'to every log reader; on every version it moves each allocation and free to the slow debug path for a bug finder whose ' +
        'reports nobody reads in a short-lived guest. SLAB_FREELIST_HARDENED, slab_nomerge and init_on_free (P) cover the ' +
        'exploit-relevant part',
    }],
  },
  {
    id: 'cmdline-page-poison', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'Page poisoning', param: 'page_poison', value: '1',
    rationale: 'Turns PAGE_POISONING on (KSPP: only before 5.3 or without init_on_free=1).',
    waivers: [{ reason: `init_on_free=1 is on the line (rule cmdline-init-on-free) and PAGE_POISONING is waived (rule page-poisoning); ${UNKNOWN_PARAM}` }],
  },
  {
    id: 'cmdline-sysctl-warn-limit', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'Panic on the first WARN', param: 'sysctl.kernel.warn_limit', value: '1',
    rationale:
      'The first kernel WARN ends the VM: a detected but non-fatal corruption (a refcount or list check that only warns) ' +
      'cannot be retried by an attacker. Debian backported warn_limit to 6.1.',
    checks: SYSCTL_CHECKS,
  },
  {
    id: 'cmdline-sysctl-oops-limit', kind: 'cmdline', section: 'cmdline', source: 'kspp',
    title: 'Panic on the first oops', param: 'sysctl.kernel.oops_limit', value: '1',
    rationale: 'Holds with PANIC_ON_OOPS (rule panic-on-oops) too; set so the count is 1 even if panic_on_oops were lowered at run time.',
    checks: SYSCTL_CHECKS,
  },
  // One rule per arch: test_sysctl_hardening reads back string values only.
  {
    id: 'cmdline-sysctl-mmap-rnd-bits-x86', kind: 'cmdline', section: 'cmdline', source: 'capsem', archs: ['x86_64'],
    title: 'mmap randomisation at the arch maximum', param: 'sysctl.vm.mmap_rnd_bits', value: '32',
    rationale: `${RND_BITS_AT_BOOT} mmap-rnd-bits-x86.`,
    checks: SYSCTL_CHECKS,
  },
  {
    id: 'cmdline-sysctl-mmap-rnd-bits-arm64', kind: 'cmdline', section: 'cmdline', source: 'capsem', archs: ['arm64'],
    title: 'mmap randomisation at the arch maximum', param: 'sysctl.vm.mmap_rnd_bits', value: '33',
    rationale: `${RND_BITS_AT_BOOT} mmap-rnd-bits-arm64.`,
    checks: SYSCTL_CHECKS,
  },
]) satisfies readonly Rule<string, CheckName>[];
