import { defineCheck } from '../define.ts';
import { cmdlineParam } from '../kinds.ts';

export default defineCheck({ name: 'test_kernel_cmdline_root', ...cmdlineParam('test_kernel_cmdline_root') });
