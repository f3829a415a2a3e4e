import { type Arch, DEFAULT_TOOLCHAIN, type Toolchain } from '../policy/index.ts';

// The LKDTM tests capsem-kernel runs, as data: what a stopped attack prints
// (tools/testing/selftests/lkdtm/tests.txt: a line's text after the name, or
// "call trace:" when it has none, matched case-insensitively as run.sh does),
// what a successful attack prints (drivers/misc/lkdtm/*.c, Linux 6.12), and
// the tests we do not run, each with the reason. Patterns are anchored at the
// start of a kernel log line (after an optional printk timestamp).

export interface LkdtmTest {
  name: string;
  /** Default: every arch. */
  archs?: readonly Arch[];
  /** Default: every toolchain. A test claimed only where its control is measured to fail. */
  toolchains?: readonly Toolchain[];
  /** A line that shows the attack was stopped. */
  blocked: RegExp;
  /** Lines that show it succeeded, beyond LKDTM's own `lkdtm: FAIL:` (which always counts). */
  survived?: readonly RegExp[];
  /** Lines that show it could not run here (CPU feature missing): inconclusive, never proof. */
  cannotRun?: readonly RegExp[];
  /** Where `blocked` comes from. */
  source: string;
}

/** tests.txt's default: an Oops or a WARN with its back trace. */
const CALL_TRACE = /^call trace:/i;
const POISONED = /^lkdtm: memory correctly poisoned/i;
const FORTIFY = /detected buffer overflow/i;

export const LKDTM_TESTS: readonly LkdtmTest[] = [
  { name: 'WRITE_RO', blocked: CALL_TRACE, source: 'tests.txt (no text: call trace); perms.c "FAIL: survived bad write"' },
  { name: 'WRITE_RO_AFTER_INIT', blocked: CALL_TRACE, source: 'tests.txt; perms.c "FAIL: survived bad write"' },
  { name: 'WRITE_KERN', blocked: CALL_TRACE, source: 'tests.txt; perms.c "FAIL: survived bad write"' },
  { name: 'EXEC_DATA', blocked: CALL_TRACE, source: 'tests.txt; perms.c "FAIL: func returned"' },
  { name: 'EXEC_RODATA', blocked: CALL_TRACE, source: 'tests.txt; perms.c "FAIL: func returned"' },
  { name: 'STACK_GUARD_PAGE_LEADING', blocked: CALL_TRACE, source: 'tests.txt; bugs.c "FAIL: accessed page before stack!"' },
  { name: 'STACK_GUARD_PAGE_TRAILING', blocked: CALL_TRACE, source: 'tests.txt; bugs.c "FAIL: accessed page after stack!"' },
  {
    // tests.txt comments it out ("crashes entire system on success"): here a crash only ends this boot's VM.
    name: 'CORRUPT_STACK_STRONG',
    blocked: /^kernel panic - not syncing: stack-protector: kernel stack is corrupted in:/i,
    // Unprotected, the corrupted frame returns to 0xff..ff: the kernel faults instead of the canary check.
    survived: [/^(oops:|general protection fault|bug: unable to handle)/i],
    source: 'kernel/panic.c __stack_chk_fail; bugs.c lkdtm_CORRUPT_STACK_STRONG',
  },
  { name: 'SLAB_FREE_DOUBLE', blocked: CALL_TRACE, source: 'tests.txt; mm/slub.c set_freepointer BUG_ON (SLAB_FREELIST_HARDENED)' },
  { name: 'SLAB_FREE_CROSS', blocked: CALL_TRACE, source: 'tests.txt; mm/slub.c cache_from_obj "Wrong slab cache" WARN (SLAB_FREELIST_HARDENED)' },
  { name: 'SLAB_INIT_ON_ALLOC', blocked: /^lkdtm: memory appears initialized/i, source: 'tests.txt "Memory appears initialized"; heap.c' },
  { name: 'BUDDY_INIT_ON_ALLOC', blocked: /^lkdtm: memory appears initialized/i, source: 'tests.txt "Memory appears initialized"; heap.c' },
  { name: 'READ_AFTER_FREE', blocked: POISONED, source: 'tests.txt "call trace:|Memory correctly poisoned"; heap.c' },
  { name: 'READ_BUDDY_AFTER_FREE', blocked: POISONED, source: 'tests.txt "call trace:|Memory correctly poisoned"; heap.c' },
  {
    name: 'CORRUPT_LIST_ADD',
    blocked: /^list_add corruption/i,
    survived: [/^lkdtm: (overwrite did not happen, but no bug\?!|list_add\(\) corruption not detected!)/i],
    source: 'tests.txt "list_add corruption"; lib/list_debug.c',
  },
  {
    name: 'CORRUPT_LIST_DEL',
    blocked: /^list_del corruption/i,
    survived: [/^lkdtm: (overwrite did not happen, but no bug\?!|list_del\(\) corruption not detected!)/i],
    source: 'tests.txt "list_del corruption"; lib/list_debug.c',
  },
  { name: 'ARRAY_BOUNDS', blocked: CALL_TRACE, source: 'tests.txt "call trace:|UBSAN: array-index-out-of-bounds" (UBSAN_TRAP: an Oops)' },
  { name: 'FORTIFY_STRSCPY', blocked: FORTIFY, source: 'tests.txt "detected buffer overflow"; lib/string_helpers.c __fortify_report' },
  { name: 'FORTIFY_STR_OBJECT', blocked: FORTIFY, source: 'tests.txt "detected buffer overflow"' },
  { name: 'FORTIFY_STR_MEMBER', blocked: FORTIFY, source: 'tests.txt "detected buffer overflow"' },
  { name: 'FORTIFY_MEM_OBJECT', blocked: FORTIFY, source: 'tests.txt "detected buffer overflow"' },
  {
    // PAC signs return addresses; the test changes the kernel keys, so the next authenticated return faults.
    name: 'CORRUPT_PAC',
    archs: ['arm64'],
    blocked: CALL_TRACE,
    cannotRun: [/^lkdtm: FAIL: CPU lacks pointer authentication feature/i],
    source: 'tests.txt (no text: call trace); bugs.c "FAIL: survived PAC changes!"',
  },
  {
    // kCFI (CFI_PERMISSIVE=n): a call through a pointer of the wrong prototype traps (x86_64: "CFI failure at", then an Oops).
    name: 'CFI_FORWARD_PROTO',
    blocked: CALL_TRACE,
    source: 'tests.txt (no text: call trace); cfi.c "FAIL: survived mismatched prototype function call!"',
  },
  {
    // Return addresses kept on the shadow call stack (and signed with PAC): the stack write does not redirect the return.
    // Claimed with clang only: see SKIPPED_TESTS for gcc.
    name: 'CFI_BACKWARD',
    archs: ['arm64'],
    toolchains: ['clang'],
    blocked: /^(call trace:|lkdtm: ok: control flow unchanged)/i,
    // The unprotected redirect must work first, or the test cannot tell anything.
    cannotRun: [/^lkdtm: FAIL: stack return address manipulation failed!/i],
    source: 'tests.txt "call trace:|ok: control flow unchanged"; cfi.c "FAIL: stack return address was redirected!"',
  },
];

export interface SkippedTest {
  names: readonly string[];
  /** Default: every arch. */
  archs?: readonly Arch[];
  /** Default: every toolchain. */
  toolchains?: readonly Toolchain[];
  why: string;
}

/** Every other test LKDTM 6.12 has (drivers/misc/lkdtm/*.c), per arch, and why we do not run it. */
export const SKIPPED_TESTS: readonly SkippedTest[] = [
  {
    names: ['WRITE_RO', 'WRITE_RO_AFTER_INIT', 'WRITE_KERN', 'EXEC_DATA', 'EXEC_RODATA'],
    why:
      'the boot-parameter route runs at LKDTM\'s initcall, before mark_rodata_ro() write-protects the kernel (measured: ' +
      'WRITE_RO "lkdtm: FAIL: survived bad write" on the proving kernel); they need the debugfs route after init, which the lockdown refuses',
  },
  {
    names: [
      'USERCOPY_SLAB_SIZE_TO', 'USERCOPY_SLAB_SIZE_FROM', 'USERCOPY_SLAB_WHITELIST_TO', 'USERCOPY_SLAB_WHITELIST_FROM', 'USERCOPY_STACK_FRAME_TO',
      'USERCOPY_STACK_FRAME_FROM', 'USERCOPY_STACK_BEYOND', 'USERCOPY_KERNEL', 'USERCOPY_VMALLOC', 'USERCOPY_FOLIO', 'EXEC_USERSPACE', 'ACCESS_USERSPACE',
    ],
    why:
      'need a user address space (vm_mmap): the boot-parameter route runs at initcall time with no mm (vm_mmap would ' +
      'fault on a NULL mm and look blocked), and the debugfs route is refused by the policy\'s forced lockdown (LOCKDOWN_DEBUGFS)',
  },
  {
    names: ['EXEC_STACK', 'EXEC_KMALLOC', 'EXEC_VMALLOC', 'EXEC_NULL', 'ACCESS_NULL', 'VMALLOC_LINEAR_OVERFLOW'],
    why:
      'stopped by what no configuration turns off (NX on kernel stacks and heaps, nothing mapped at 0 with no user mm, ' +
      'vmalloc guard pages): no policy rule to prove, and no control could fail',
  },
  {
    names: [
      'REFCOUNT_INC_OVERFLOW', 'REFCOUNT_ADD_OVERFLOW', 'REFCOUNT_INC_NOT_ZERO_OVERFLOW', 'REFCOUNT_ADD_NOT_ZERO_OVERFLOW', 'REFCOUNT_DEC_ZERO',
      'REFCOUNT_DEC_NEGATIVE', 'REFCOUNT_DEC_AND_TEST_NEGATIVE', 'REFCOUNT_SUB_AND_TEST_NEGATIVE', 'REFCOUNT_SUB_AND_TEST_ZERO', 'REFCOUNT_INC_ZERO',
      'REFCOUNT_ADD_ZERO', 'REFCOUNT_INC_SATURATED', 'REFCOUNT_DEC_SATURATED', 'REFCOUNT_ADD_SATURATED', 'REFCOUNT_INC_NOT_ZERO_SATURATED',
      'REFCOUNT_ADD_NOT_ZERO_SATURATED', 'REFCOUNT_DEC_AND_TEST_SATURATED', 'REFCOUNT_SUB_AND_TEST_SATURATED',
    ],
    why: 'refcount_t saturation is always built in (REFCOUNT_FULL went away in 5.5): no policy rule to prove, and no control could fail',
  },
  {
    names: ['BUG', 'WARNING', 'WARNING_MESSAGE', 'EXCEPTION', 'REPORT_STACK', 'REPORT_STACK_CANARY', 'UNALIGNED_LOAD_STORE_WRITE'],
    why: 'exercise the kernel\'s own reporting (BUG, WARN, Oops, the stack canary\'s value, an unaligned access), not a mitigation',
  },
  {
    names: ['UNSET_SMEP'],
    archs: ['x86_64'],
    why: 'CR4 pinning is always on in x86_64 (no rule to prove, no control could fail), and QEMU TCG "max" may lack SMEP; unclaimed',
  },
  { names: ['UNSET_SMEP'], archs: ['arm64'], why: 'x86_64 only (lkdtm prints XFAIL elsewhere)' },
  { names: ['CORRUPT_PAC'], archs: ['x86_64'], why: 'arm64 only (lkdtm prints XFAIL elsewhere)' },
  { names: ['DOUBLE_FAULT', 'WRITE_OPD', 'PPC_SLB_MULTIHIT'], why: 'other arches\' tests (ia32, powerpc64): lkdtm prints XFAIL or skips them here' },
  { names: ['FORTIFY_MEM_MEMBER'], why: 'field-spanning memcpy() is reported by a WARN and the copy proceeds (FORTIFY warns, does not stop it)' },
  { names: ['SLAB_FREE_PAGE'], why: 'freeing a non-slab page is caught whatever the config (virt_to_slab WARN): no control could fail' },
  {
    names: ['PANIC', 'PANIC_STOP_IRQOFF', 'LOOP', 'EXHAUST_STACK', 'CORRUPT_STACK', 'SOFTLOCKUP', 'HARDLOCKUP', 'SMP_CALL_LOCKUP', 'SPINLOCKUP', 'HUNG_TASK', 'WRITE_AFTER_FREE', 'WRITE_BUDDY_AFTER_FREE', 'REFCOUNT_TIMING', 'ATOMIC_TIMING'],
    why: 'tests.txt marks them: hang, crash on success, corrupt memory on failure, or timing only',
  },
  {
    names: ['CFI_FORWARD_PROTO'],
    toolchains: ['gcc'],
    why: 'forward-edge CFI (CFI_CLANG) needs clang: the gcc kernel waives rule cfi-clang; `prove --toolchain clang` claims it',
  },
  {
    names: ['CFI_BACKWARD'],
    archs: ['x86_64'],
    why: 'backward-edge protection here would be SHADOW_CALL_STACK or PAC, both arm64: nothing on x86_64 to prove',
  },
  {
    names: ['CFI_BACKWARD'],
    archs: ['arm64'],
    toolchains: ['gcc'],
    why:
      'measured: "ok: control flow unchanged." on the proving kernel and on the control with ARM64_PTR_AUTH_KERNEL=n alike ' +
      '(gcc 12 build). That control kept SHADOW_CALL_STACK (gcc 12 builds it too), which cfi.c also defeats; under clang the control ' +
      'turns both off and the test is claimed (rule arm64-shadow-call-stack). CORRUPT_PAC proves kernel PAC',
  },
  { names: ['FAM_BOUNDS'], why: 'needs __counted_by, which Debian 12\'s gcc 12 lacks (lkdtm says so): UBSAN_BOUNDS cannot see the flexible array\'s size' },
  { names: ['OVERFLOW_SIGNED', 'OVERFLOW_UNSIGNED'], why: 'the UBSAN integer-wrap sanitizers, which the policy leaves off (rule ubsan-no-signed-wrap)' },
  { names: ['SLAB_LINEAR_OVERFLOW'], why: 'caught only by slub_debug redzones or KASAN, neither of which the policy builds' },
  { names: ['KFENCE_READ_AFTER_FREE'], why: 'KFENCE is waived by the policy (rule kfence)' },
  {
    names: ['STACKLEAK_ERASING'],
    why:
      'gcc kernels hold it (rule gcc-plugin-stackleak; clang-19 has no stackleak) but it is not claimed: unmeasured, and the ' +
      'boot-parameter route checks at LKDTM\'s initcall, before any return to user space has erased the thread stack',
  },
];

/** The tests skipped on `arch` built with `toolchain`. */
export function skippedFor(arch: Arch, toolchain: Toolchain = DEFAULT_TOOLCHAIN): SkippedTest[] {
  return SKIPPED_TESTS.filter((s) => (!s.archs || s.archs.includes(arch)) && (!s.toolchains || s.toolchains.includes(toolchain)));
}

export function lkdtmTest(name: string): LkdtmTest | undefined {
  return LKDTM_TESTS.find((t) => t.name === name);
}
