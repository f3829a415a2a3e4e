import { defineCommand } from '../command.ts';
import { resolveSource } from '../../build/source.ts';
import { resolveToolchain } from '../../build/toolchain.ts';
import { configArch, configKernel, parseDotConfig, readDotConfig, type DotConfig } from '../../kconfig/dotconfig.ts';
import { assignmentsOf, evaluate, type Evaluation } from '../../kconfig/evaluate.ts';
import { explainSymbol, missingOptions, unneededOptions } from '../../kconfig/explain.ts';
import { renderExplanation, renderMissing, renderUnneeded } from '../explain-text.ts';
import { renderFragment, requestedOptions } from '../../kconfig/fragment.ts';
import { loadTreeFor } from '../../kconfig/tree.ts';
import { type Arch, DEFAULT_KERNEL, KERNELS, type KernelVersion } from '../../policy/index.ts';
import { InputError, UsageError } from '../../util/errors.ts';
import { cacheRoot } from '../../util/paths.ts';
import { TARGET_ARGS } from '../args.ts';

export default defineCommand({
  name: 'explain',
  summary: 'Say why a Kconfig symbol has the value it has',
  description: `
Parses the kernel's Kconfig tree for the arch and evaluates it exactly as
make olddefconfig does (the engine agrees with the kernel's own conf on every
symbol of allnoconfig, defconfig and tinyconfig for both arches and kernels).

explain SYMBOL: where the symbol is defined, its type, prompt and value, and
why: the unmet \`depends on\` terms with their values down to the first option a
user could set, what selects or implies it, which default applied, and the
policy's name for it when it was renamed in this kernel.
--missing FRAGMENT: every line of the fragment the configuration does not have,
one reason each. --unneeded: options switched on that nothing selects and
nobody asked for (candidates to switch off).

The configuration is --config FILE (a final .config), or else allnoconfig plus
the policy's fragment, computed here without running make. Compiler probes
($(cc-option,...)) run once per toolchain and are cached; a --config inside a
configured build directory reuses that directory's toolchain settings, and
--toolchain clang learns clang's once from a configure-only make run.
Exit codes: 0 explained; 1 --missing found requested lines that did not
survive; 2 bad usage or input.`,
  args: {
    arch: { ...TARGET_ARGS.arch, description: 'Target architecture (default: from --config)' },
    kernel: { type: 'string', description: `Kernel series (default: from --config, else ${DEFAULT_KERNEL})`, choices: KERNELS },
    toolchain: TARGET_ARGS.toolchain,
    config: { type: 'string', description: 'Final .config to explain (default: allnoconfig + policy fragment)', valueHint: 'FILE' },
    missing: { type: 'string', description: 'Explain every line of this fragment that did not survive', valueHint: 'FRAGMENT' },
    unneeded: { type: 'boolean', description: 'List enabled options that nothing selects and nobody asked for' },
    source: { type: 'string', description: 'Kernel source tree (default: Debian linux-source-<kernel>)', valueHint: 'DIR' },
    json: { type: 'boolean', description: 'Print JSON' },
  },
  positionals: [{ name: 'SYMBOL', description: 'Kconfig symbol, with or without CONFIG_' }],
  examples: [
    'capsem-kernel explain MITIGATION_PAGE_TABLE_ISOLATION --arch x86_64',
    'capsem-kernel explain CONFIG_ARM64_BTI_KERNEL --config out/arm64/config',
    'capsem-kernel explain --missing my.fragment --arch x86_64 --kernel 6.1',
    'capsem-kernel explain --unneeded --config build/.config --json',
  ],
  async run({ args, positionals, io }) {
    const modes = [positionals.length > 0, args.missing !== undefined, args.unneeded].filter(Boolean).length;
    if (modes !== 1) throw new UsageError('explain: give one of SYMBOL, --missing FRAGMENT or --unneeded');
    const symbol = positionals[0]?.replace(/^CONFIG_/, '');
    if (symbol !== undefined && !/^[A-Za-z0-9_]+$/.test(symbol)) {
      throw new UsageError(`explain: '${positionals[0]}' is not a Kconfig symbol name`);
    }
    const config = args.config !== undefined ? readDotConfig(args.config) : undefined;
    const { arch, kernel } = target(args.arch, args.kernel, config, args.config);
    const toolchain = args.toolchain;
    const say = (m: string) => io.stderr(`explain: ${m}\n`);
    const srcDir = args.source ?? (await resolveSource({ kernel, cwd: io.cwd, cacheRoot: cacheRoot(io.env), say, signal: io.signal })).tree;
    // The compiler's probes are what the tree sees: it is installed when missing.
    const provide = () => resolveToolchain(arch, toolchain, { useCcache: false, say, signal: io.signal });
    const tree = await loadTreeFor({ srcDir, arch, toolchain, configFile: args.config, provide });
    if (args.source === undefined && tree.series !== kernel) {
      throw new InputError(srcDir, `is Linux ${tree.series}, not ${kernel}`);
    }
    const policyFragment = assignmentsOf(parseDotConfig(renderFragment({ arch, kernel, toolchain }), 'policy fragment'));
    const ev: Evaluation = config
      ? evaluate(tree, { mode: 'olddefconfig', config: assignmentsOf(config) })
      : evaluate(tree, { mode: 'allnoconfig', fragment: policyFragment });
    if (config) {
      // What conf would warn about while reading the file.
      for (const w of ev.read.warnings) io.stderr(`explain: ${args.config}: warning: ${w}\n`);
      if (ev.read.unknown.length) {
        io.stderr(`explain: ${args.config}: ${ev.read.unknown.length} symbols unknown to Linux ${tree.version} ${arch} (ignored, as conf does)\n`);
      }
    }

    if (symbol !== undefined) {
      // Without --config the input is the policy fragment: what it asks for is the request.
      const requested = config ? undefined : new Map(policyFragment).get(symbol);
      const e = explainSymbol(ev, symbol, requested);
      io.stdout(args.json ? JSON.stringify(e, null, 2) + '\n' : renderExplanation(e));
      return 0;
    }
    if (args.missing !== undefined) {
      const fragment = assignmentsOf(readDotConfig(args.missing));
      // Without --config: what allnoconfig + this fragment would give.
      const final = config ? ev : evaluate(tree, { mode: 'allnoconfig', fragment });
      const missing = missingOptions(tree, fragment, final);
      io.stdout(args.json ? JSON.stringify(missing, null, 2) + '\n' : renderMissing(missing, args.missing, fragment.length));
      return missing.length ? 1 : 0;
    }
    const requested = new Set(requestedOptions({ arch, kernel, toolchain }).filter((o) => o.value !== 'n').map((o) => o.symbol));
    const r = unneededOptions(ev, requested);
    io.stdout(args.json ? JSON.stringify(r, null, 2) + '\n' : renderUnneeded(r, `Linux ${tree.version} ${arch}`));
    return 0;
  },
});

/** Arch and kernel from the flags, else from the .config's header. */
function target(
  archArg: Arch | undefined,
  kernelArg: KernelVersion | undefined,
  config: DotConfig | undefined,
  file: string | undefined,
): { arch: Arch; kernel: KernelVersion } {
  const found = config ? configArch(config) : undefined;
  if (found === 'unknown') throw new InputError(file!, `config is for Linux/${config!.header!.arch}, not x86_64 or arm64`);
  if (archArg !== undefined && found !== undefined && found !== archArg) {
    throw new InputError(file!, `config is for ${found}, not --arch ${archArg}`);
  }
  const arch = archArg ?? found;
  if (arch === undefined) throw new UsageError(`explain: --arch is required${file ? ` (${file} does not say its arch)` : ''}`);
  const fromFile = config ? configKernel(config) : undefined;
  if (kernelArg !== undefined && fromFile !== undefined && kernelArg !== fromFile) {
    throw new InputError(file!, `config is for Linux ${fromFile}, not --kernel ${kernelArg}`);
  }
  return { arch, kernel: kernelArg ?? fromFile ?? DEFAULT_KERNEL };
}
