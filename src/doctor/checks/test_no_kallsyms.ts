import { defineCheck } from '../define.ts';
import { procFileAbsentOrEmpty } from '../kinds.ts';

// Even with kptr_restrict hiding addresses, a non-empty kallsyms means the symbol table is built in.
export default defineCheck({ name: 'test_no_kallsyms', ...procFileAbsentOrEmpty('/proc/kallsyms') });
