import check from '../../../src/doctor/checks/test_boot_params_consumed.ts';
import { GUEST } from '../../../src/policy/index.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { type FixturePatch, file } from '../helpers/fake-guest.ts';

const environ = (...extra: string[]) => ({ files: { '/proc/1/environ': file(['HOME=/', 'TERM=linux', ...extra].map((e) => e + '\0').join('')) } });
/** The same change on a kernel whose release is `release` (the doctor reads the version from it). */
const onRelease = (release: string, patch: FixturePatch): FixturePatch => ({
  files: { ...patch.files, '/proc/sys/kernel/osrelease': file(`${release}\n`) },
});
const argv = (...extra: string[]) => ({ files: { '/proc/1/cmdline': file(['/bin/sh', `${GUEST.capsemBinDir}/capsem-init`, ...extra].map((a) => a + '\0').join('')) } });

testCheck(check, {
  pass: [
    { name: 'init got only HOME, TERM and its own exports' },
    { name: 'a parameter of ours that is not the policy\'s (capsem_shell)', patch: environ('capsem_shell=1') },
    { name: 'arm64', arch: 'arm64' },
    // 6.1 reads pti= with cmdline_find_option() and registers no parameter: it acts on it and hands it on too.
    { name: 'pti=on reaching init on Linux 6.1', patch: onRelease('6.1.158-capsem-0123456789ab', environ('pti=on')) },
  ],
  fail: [
    // HARDENED_USERCOPY=n: the kernel does not know hardened_usercopy= and hands it on.
    { name: 'hardened_usercopy= in the environment', patch: environ('hardened_usercopy=1'), reason: 'param-unconsumed', evidence: 'hardened_usercopy: handed to init' },
    { name: 'randomize_kstack_offset= in the environment', patch: environ('randomize_kstack_offset=1'), reason: 'param-unconsumed' },
    { name: 'pti=on reaching init on Linux 6.12 (early_param: only unknown code hands it on)', patch: environ('pti=on'), reason: 'param-unconsumed', evidence: 'pti: handed to init' },
    { name: 'a bare word (slab_nomerge) in argv', patch: argv('slab_nomerge'), reason: 'param-unconsumed', evidence: 'slab_nomerge: handed to init' },
  ],
  error: [
    { name: '/proc/1/environ unreadable', patch: { errors: { '/proc/1/environ': 'EACCES' } }, reason: 'unreadable' },
    { name: '/proc/1/cmdline unreadable', patch: { errors: { '/proc/1/cmdline': 'EIO' } }, reason: 'unreadable' },
  ],
});
