import { defineCheck } from '../define.ts';
import { syscallsAbsent } from '../kinds.ts';

// The x32 table is reached by any x86_64 process that sets bit 30 of the syscall number.
export default defineCheck({ name: 'test_no_x32_abi', ...syscallsAbsent(['x32_getpid']) });
