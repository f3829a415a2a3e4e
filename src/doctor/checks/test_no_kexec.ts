import { defineCheck } from '../define.ts';
import { syscallsAbsent } from '../kinds.ts';

export default defineCheck({ name: 'test_no_kexec', ...syscallsAbsent(['kexec_load', 'kexec_file_load']) });
