import { defineCheck } from '../define.ts';
import { cmdlineParam } from '../kinds.ts';

export default defineCheck({ name: 'test_kernel_cmdline_has_ro', ...cmdlineParam('test_kernel_cmdline_has_ro') });
