import { native } from './native.ts';

// node:os for the doctor's QuickJS bundle: errno numbers and the scratch directory.
export const constants = { errno: native.errno };
export const tmpdir = () => '/tmp';
