import { defineCheck } from '../define.ts';
import { processAbsent } from '../kinds.ts';

export default defineCheck({ name: 'test_no_cron', ...processAbsent('cron') });
