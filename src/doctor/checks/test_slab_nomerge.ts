import { defineCheck } from '../define.ts';
import { cmdlineParam } from '../kinds.ts';

export default defineCheck({ name: 'test_slab_nomerge', ...cmdlineParam('test_slab_nomerge') });
