import type { Arch } from '../policy/index.ts';

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
  { name: 'EXEC_STACK', blocked: CALL_TRACE, source: 'tests.txt; perms.c "FAIL: func returned"' },
  { name: 'EXEC_KMALLOC', blocked: CALL_TRACE, source: 'tests.txt; perms.c "FAIL: func returned"' },
  { name: 'EXEC_VMALLOC', blocked: CALL_TRACE, source: 'tests.txt; perms.c "FAIL: func returned"' },
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
    name: 'CORRUPT_PAC',
    archs: ['arm64'],
    blocked: CALL_TRACE,
    cannotRun: [/^lkdtm: FAIL: CPU lacks pointer authentication feature/i],
    source: 'tests.txt; bugs.c "FAIL: survived PAC changes!"',
  },
];

/** Tests LKDTM 6.12 has that we do not run, and why. */
export const SKIPPED_TESTS: readonly { names: readonly string[]; why: string }[] = [
  {
    names: ['WRITE_RO', 'WRITE_RO_AFTER_INIT', 'WRITE_KERN', 'EXEC_DATA', 'EXEC_RODATA'],
    why:
      'the boot-parameter route runs at LKDTM\'s initcall, before mark_rodata_ro() write-protects the kernel (measured: ' +
      'WRITE_RO "lkdtm: FAIL: survived bad write" on the proving kernel); they need the debugfs route after init, which the lockdown refuses',
  },
  {
    names: ['USERCOPY_SLAB_SIZE_TO', 'USERCOPY_SLAB_SIZE_FROM', 'USERCOPY_SLAB_WHITELIST_TO', 'USERCOPY_SLAB_WHITELIST_FROM', 'USERCOPY_STACK_FRAME_TO', 'USERCOPY_STACK_FRAME_FROM', 'USERCOPY_STACK_BEYOND', 'USERCOPY_KERNEL', 'EXEC_USERSPACE', 'ACCESS_USERSPACE'],
    why:
      'need a user address space (vm_mmap): the boot-parameter route runs at initcall time with no mm (vm_mmap would ' +
      'fault on a NULL mm and look blocked), and the debugfs route is refused by the policy\'s forced lockdown (LOCKDOWN_DEBUGFS)',
  },
  {
    names: ['UNSET_SMEP'],
    why: 'CR4 pinning is always on in x86_64 (no rule to prove), and QEMU TCG "max" may lack SMEP; unclaimed',
  },
  { names: ['FORTIFY_MEM_MEMBER'], why: 'field-spanning memcpy() is reported by a WARN and the copy proceeds (FORTIFY warns, does not stop it)' },
  { names: ['SLAB_FREE_PAGE'], why: 'freeing a non-slab page is caught whatever the config (virt_to_slab WARN): no control could fail' },
  { names: ['PANIC', 'PANIC_STOP_IRQOFF', 'LOOP', 'EXHAUST_STACK', 'CORRUPT_STACK', 'SOFTLOCKUP', 'HARDLOCKUP', 'SMP_CALL_LOCKUP', 'SPINLOCKUP', 'HUNG_TASK', 'WRITE_AFTER_FREE', 'WRITE_BUDDY_AFTER_FREE', 'REFCOUNT_TIMING', 'ATOMIC_TIMING'], why: 'tests.txt marks them: hang, crash on success, corrupt memory on failure, or timing only' },
  { names: ['CFI_FORWARD_PROTO', 'CFI_BACKWARD'], why: 'CFI needs clang (the gcc build waives CFI_CLANG and SHADOW_CALL_STACK)' },
  { names: ['STACKLEAK_ERASING'], why: 'needs the GCC stackleak plugin (KSTACK_ERASE), which the policy does not build' },
];

export function lkdtmTest(name: string): LkdtmTest | undefined {
  return LKDTM_TESTS.find((t) => t.name === name);
}
