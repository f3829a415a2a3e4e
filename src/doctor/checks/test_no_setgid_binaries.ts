import { defineCheck } from '../define.ts';
import { modeBitAbsent } from '../kinds.ts';

export default defineCheck({ name: 'test_no_setgid_binaries', ...modeBitAbsent(0o2000, 'setgid') });
