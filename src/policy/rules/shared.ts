// Texts several rules share.

export const COMPILE_TIME =
  'a compile-time property of the kernel image with no userspace interface; the host audit of the build .config verifies it';

/** Why a cmdline parameter is not added: the option it tunes is compiled out, so the kernel would not know it and would hand it to init. */
export const UNKNOWN_PARAM = 'the kernel would not know the parameter and would pass it to init as an argument or environment variable';
