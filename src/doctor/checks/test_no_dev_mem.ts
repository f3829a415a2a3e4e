import { defineCheck } from '../define.ts';
import { memDeviceAbsent } from '../kinds.ts';

export default defineCheck({ name: 'test_no_dev_mem', ...memDeviceAbsent('mem') });
