import { defineCheck } from '../define.ts';
import { syscallsAbsent } from '../kinds.ts';

export default defineCheck({ name: 'test_no_bpf_syscall', ...syscallsAbsent(['bpf']) });
