import { defineCheck } from '../define.ts';
import { modeBitAbsent } from '../kinds.ts';

export default defineCheck({ name: 'test_no_setuid_binaries', ...modeBitAbsent(0o4000, 'setuid') });
