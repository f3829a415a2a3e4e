import { defineCheck } from '../define.ts';
import { procFileAbsentOrEmpty } from '../kinds.ts';

export default defineCheck({ name: 'test_proc_modules_empty', ...procFileAbsentOrEmpty('/proc/modules') });
