// The guest stage's public face: build the images, boot them, judge the verdict.
export { type Accel, type AccelDecision, type AccelRequest, type HostFacts, decideAccel, readHostFacts } from './accel.ts';
export { type BootOptions, type BootResult, DEFAULT_TIMEOUT_MS, bootGuest } from './boot.ts';
export { type BootExpectation, type KernelIdentity, type Verdict, manifestIdentity, verdictFrom } from './channel.ts';
export { type GuestImages, type RootfsManifest, type RootfsOptions, buildRootfs, exportImages } from './rootfs.ts';
export { type Finding, describeFinding } from './findings.ts';
export { type BootPhases, type BootTimings } from './timings.ts';
export { DEFAULT_VARIANT, type GuestVariant, MUTANTS, composeVariants } from './variant.ts';
