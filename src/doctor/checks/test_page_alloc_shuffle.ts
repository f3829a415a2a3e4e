import { defineCheck } from '../define.ts';
import { cmdlineParam } from '../kinds.ts';

export default defineCheck({ name: 'test_page_alloc_shuffle', ...cmdlineParam('test_page_alloc_shuffle') });
