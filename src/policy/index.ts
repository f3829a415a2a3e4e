// The policy's public face. Everything derived (defconfigs, audit, doctor
// expectations, docs) imports from here.
export * from './define.ts';
export { CHECKS, type CheckName } from './checks.ts';
export { GUEST } from './guest.ts';
export { CAPSEM_BIN_DIRS, FORBIDDEN_FILES, type ForbiddenDaemon, type ForbiddenFileRule, forbiddenFile } from './guest-files.ts';
export { RULES, type RuleId } from './rules.ts';
export { FEATURES, type FeatureId } from './features.ts';
export { parseCmdline, normalizeParamName, type CmdlineToken, type ParsedCmdline } from './cmdline.ts';
export { cmdlineFor, cmdlineValue, cmdlineVerdict, parsedPolicyCmdline } from './boot.ts';
export {
  LAUNCHER_TOKENS, NONCE_PARAM, SHELL_PARAM, cmdlineContract, contractViolations, launcherCmdline,
  type ContractToken, type ViolationKind,
} from './contract.ts';
