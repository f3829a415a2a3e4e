import { defineCheck } from '../define.ts';
import { syscallsAbsent } from '../kinds.ts';

// /dev/userfaultfd is a second way in, but only with USERFAULTFD=y, which the syscall already shows.
export default defineCheck({ name: 'test_no_userfaultfd', ...syscallsAbsent(['userfaultfd']) });
