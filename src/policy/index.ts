// The policy's public face. Everything derived (defconfigs, audit, doctor
// expectations, docs) imports from here.
export * from './define.ts';
export { CHECKS, type CheckName } from './checks.ts';
export { GUEST } from './guest.ts';
