import check from '../../../src/doctor/checks/test_slab_nomerge.ts';
import { testCheck } from '../helpers/check-tester.ts';
import { cmdline } from '../helpers/cmdline.ts';

testCheck(check, {
  pass: [
    { name: 'policy command line' },
    // The kernel treats - and _ in parameter names alike.
    { name: 'spelled slab-nomerge', patch: cmdline({ drop: ['slab_nomerge'], append: ['slab-nomerge'] }) },
    { name: 'slab_merge then slab_nomerge: nomerge wins', patch: cmdline({ drop: ['slab_nomerge'], append: ['slab_merge', 'slab_nomerge'] }) },
  ],
  fail: [
    { name: 'absent', patch: cmdline({ drop: ['slab_nomerge'] }), reason: 'param-missing' },
    { name: 'only slub_nomerge_x', patch: cmdline({ drop: ['slab_nomerge'], append: ['slab_nomerge_x'] }), reason: 'param-missing' },
    { name: 'slab_nomerge=0 is not the flag', patch: cmdline({ drop: ['slab_nomerge'], append: ['slab_nomerge=0'] }), reason: 'param-wrong-value' },
    { name: 'a later slab_merge cancels it', patch: cmdline({ append: ['slab_merge'] }), reason: 'flag-overridden', evidence: 'slab_merge' },
    { name: 'a later slub_merge cancels it too', patch: cmdline({ append: ['slub_merge'] }), reason: 'flag-overridden' },
  ],
  error: [{ name: '/proc/cmdline unreadable', patch: { errors: { '/proc/cmdline': 'EACCES' } }, reason: 'unreadable' }],
});
