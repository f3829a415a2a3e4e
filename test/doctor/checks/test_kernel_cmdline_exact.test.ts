import check from '../../../src/doctor/checks/test_kernel_cmdline_exact.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { bootedCmdline, cmdline, rawCmdline } from '../helpers/cmdline.ts';

// The contract (src/policy/contract.ts) on what a guest really booted with.
testCheck(check, {
  pass: [
    { name: 'the booted line (x86_64)' },
    { name: 'the booted line (arm64: no reboot=t, no virtio_mmio list)', arch: 'arm64' },
    { name: 'with QEMU microvm\'s virtio-mmio list (x86_64)', patch: cmdline({ append: ['virtio_mmio.device=512@0xfeb00e00:12', 'virtio_mmio.device=512@0xfeb00c00:11'] }) },
    { name: 'with --shell', patch: cmdline({ append: ['capsem_shell=1'] }) },
    { name: 'the sysctl/ spelling of a policy sysctl', patch: rawCmdline(bootedCmdline('x86_64').replace('sysctl.kernel.kptr_restrict=2', 'sysctl/kernel/kptr_restrict=2') + '\n') },
  ],
  fail: [
    { name: 'nopti after pti=on', patch: cmdline({ append: ['nopti'] }), reason: 'token-outside-contract', evidence: 'nopti: not in the contract' },
    { name: 'nokaslr', patch: cmdline({ append: ['nokaslr'] }), reason: 'token-outside-contract', evidence: 'nokaslr' },
    { name: 'norandmaps', patch: cmdline({ append: ['norandmaps'] }), reason: 'token-outside-contract', evidence: 'norandmaps' },
    { name: 'clearcpuid=smep', patch: cmdline({ append: ['clearcpuid=smep'] }), reason: 'token-outside-contract', evidence: 'clearcpuid=smep' },
    { name: 'lsm=', patch: cmdline({ append: ['lsm=yama'] }), reason: 'token-outside-contract', evidence: 'lsm=yama' },
    { name: 'spectre_v2_user=off', patch: cmdline({ append: ['spectre_v2_user=off'] }), reason: 'token-outside-contract' },
    { name: 'an unlisted sysctl', patch: cmdline({ append: ['sysctl.vm.swappiness=10'] }), reason: 'token-outside-contract', evidence: 'sysctl.vm.swappiness=10' },
    { name: 'rw after ro', patch: cmdline({ append: ['rw'] }), reason: 'token-outside-contract', evidence: 'rw: not in the contract' },
    { name: 'slab_merge after slab_nomerge', patch: cmdline({ append: ['slab_merge'] }), reason: 'token-outside-contract' },
    { name: 'arguments after --', patch: cmdline({ append: ['--', 'single'] }), reason: 'token-outside-contract', evidence: 'arguments after -- go to init' },
    { name: 'pti=off appended', patch: cmdline({ append: ['pti=off'] }), reason: 'token-wrong-value', evidence: 'pti=off: the contract has pti=on' },
    { name: 'a policy flag with a value', patch: cmdline({ drop: ['ro'], append: ['ro=1'] }), reason: 'token-wrong-value' },
    { name: 'the same token twice', patch: cmdline({ append: ['init_on_alloc=1'] }), reason: 'token-wrong-value', evidence: 'init_on_alloc: given 2 times' },
    { name: 'a malformed nonce', patch: cmdline({ drop: ['capsem.nonce'], append: ['capsem.nonce=zz'] }), reason: 'token-wrong-value' },
    { name: 'no nonce', patch: cmdline({ drop: ['capsem.nonce'] }), reason: 'token-missing', evidence: 'capsem.nonce' },
    { name: 'no panic=-1', patch: cmdline({ drop: ['panic'] }), reason: 'token-missing', evidence: 'panic=-1: missing (runner' },
    { name: 'a policy parameter dropped', patch: cmdline({ drop: ['init_on_free'] }), reason: 'token-missing', evidence: 'init_on_free=1: missing (policy' },
  ],
  error: [{ name: '/proc/cmdline unreadable', patch: { errors: { '/proc/cmdline': 'EIO' } }, reason: 'unreadable' }],
});
