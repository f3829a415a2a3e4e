import { defineCheck } from '../define.ts';
import { syscallsAbsent } from '../kinds.ts';

export default defineCheck({ name: 'test_no_io_uring', ...syscallsAbsent(['io_uring_setup']) });
