import { defineCheck } from '../define.ts';
import { cmdlineParam } from '../kinds.ts';

// One check for the policy's command line parameters beyond the spec's four:
// the runner hands it every such rule not waived on this target.
export default defineCheck({ name: 'test_kernel_cmdline_hardening', ...cmdlineParam('test_kernel_cmdline_hardening') });
