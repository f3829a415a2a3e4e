import { defineCheck } from '../define.ts';
import { cmdlineParam } from '../kinds.ts';

export default defineCheck({ name: 'test_init_on_alloc', ...cmdlineParam('test_init_on_alloc') });
