// The fuzz properties, shared by test/fuzz/*.test.ts (fixed seed, CI-sized)
// and bench/fuzz.ts (more runs, a fresh seed, counts printed). Each property
// says what a parser of untrusted bytes owes us: a value or our one-line input
// error, and, where the format can be written back, a round trip.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeFrame, encodeFrame, expectedFrameLength, validateReport } from '../../src/doctor/channel.ts';
import { type DoctorReport, REPORT_SCHEMA } from '../../src/doctor/types.ts';
import { bootCmdline } from '../../src/guest/qemu.ts';
import { parseDotConfig } from '../../src/kconfig/dotconfig.ts';
import { loadKconfigFile } from '../../src/kconfig/tree.ts';
import { ARCHS, KERNELS } from '../../src/policy/index.ts';
import { cmdlineFor } from '../../src/policy/boot.ts';
import { type CmdlineToken, parseCmdline } from '../../src/policy/cmdline.ts';
import { cmdlineContract, contractViolations } from '../../src/policy/contract.ts';
import { arbitraryText, debianConfigText, generatedFragments, kernelTree, mutated, REAL_KCONFIGS, valueOrInputError } from './inputs.ts';

export type Outcome = 'value' | 'input-error';
export type Tally = (o: Outcome) => void;
export interface NamedProperty {
  name: string;
  property: fc.IProperty<never> | fc.IProperty<unknown[]>;
  /** A property over a few fixed inputs needs no more runs than it has inputs. */
  maxRuns?: number;
}

const DOTCONFIG_PIECES = ['CONFIG_', 'A', '_B1', '=', 'y', 'm', 'n', 'yes', '"', '\\"', '\\', '0x1f', '-12', '\n', '\r\n', '# CONFIG_', ' is not set', '# Linux/x86_64 6.12.1 Kernel Configuration', '#', ' ', '\t', '\0', '\uFFFD'];

/** Lines that are mostly well-formed assignments, with the odd damaged one. */
const configLines = fc
  .array(
    fc.oneof(
      fc.tuple(fc.stringMatching(/^[A-Z0-9_]{1,8}$/), fc.oneof(fc.constantFrom('y', 'm', 'n', '0x10', '-3', '""', '"a\\"b"'), fc.string({ maxLength: 6 }))).map(([k, v]) => `CONFIG_${k}=${v}`),
      fc.stringMatching(/^[A-Z0-9_]{1,8}$/).map((k) => `# CONFIG_${k} is not set`),
      fc.constantFrom(...DOTCONFIG_PIECES),
    ),
    { maxLength: 30 },
  )
  .map((lines) => lines.join('\n'));

const render = (values: Map<string, string>) =>
  [...values].map(([k, v]) => (v === 'n' ? `# CONFIG_${k} is not set` : `CONFIG_${k}=${v}`)).join('\n') + '\n';

function dotconfig(tally: Tally): NamedProperty[] {
  const debian = debianConfigText();
  const inputs = [{ file: 'debian config.amd64_none_amd64', text: debian }, ...generatedFragments()];
  const parse = (text: string, lenient: boolean) => tally(valueOrInputError(() => parseDotConfig(text, 'fuzz.config', { lenient })));
  return [
    {
      name: 'dotconfig: arbitrary text -> a value or InputError (strict and lenient)',
      property: fc.property(fc.oneof(arbitraryText(DOTCONFIG_PIECES), configLines), fc.boolean(), (text, lenient) => parse(text, lenient)),
    },
    {
      name: 'dotconfig: mutated real configs and fragments -> a value or InputError; what strict reads, lenient reads the same and it round-trips',
      property: fc.property(
        fc.constantFrom(...inputs).chain((i) => mutated(i.text)),
        (text) => {
          parse(text, true);
          let strict;
          try {
            strict = parseDotConfig(text, 'fuzz.config');
          } catch {
            return; // strict refusals are covered by the line above's contract check
          }
          const lenient = parseDotConfig(text, 'fuzz.config', { lenient: true });
          if (lenient.warnings.length) throw new Error(`strict read it, lenient warned: ${lenient.warnings[0]!.message}`);
          if (render(lenient.values) !== render(strict.values)) throw new Error('strict and lenient read different values');
          if (render(parseDotConfig(render(strict.values), 'fuzz.config').values) !== render(strict.values)) throw new Error('does not round-trip');
        },
      ),
    },
    {
      name: 'dotconfig: real configs round-trip (parse, write, parse: same values)',
      maxRuns: inputs.length,
      property: fc.property(fc.constantFrom(...inputs), (i) => {
        const first = parseDotConfig(i.text, i.file);
        const again = parseDotConfig(render(first.values), i.file);
        if (render(again.values) !== render(first.values)) throw new Error(`${i.file} does not round-trip`);
        tally('value');
      }),
    },
  ];
}

const CMDLINE_PIECES = [' ', '\t', '\n', '"', '=', '--', '-', '_', 'sysctl.', 'sysctl/', 'a.b', 'pti', 'on', 'nopti', 'capsem.nonce', 'reboot=t', 'virtio_mmio.device=4K@0xfeb00000:12', '""', '\\'];
// A token the kernel's tokenizer can carry unchanged: no quotes, no blank in the key.
const word = fc.string({ unit: fc.constantFrom(...'abcxyz019_-./,:@'), minLength: 1, maxLength: 12 });
const tokenArb: fc.Arbitrary<CmdlineToken> = fc.record(
  { key: word.filter((k) => k !== '--'), value: fc.string({ unit: fc.constantFrom(...'ab1 =,.\t'), maxLength: 10 }) },
  { requiredKeys: ['key'] },
);
const renderToken = (t: CmdlineToken) => (t.value === undefined ? t.key : /\s/.test(t.value) ? `${t.key}="${t.value}"` : `${t.key}=${t.value}`);

function cmdline(tally: Tally): NamedProperty[] {
  const targets = ARCHS.flatMap((arch) => KERNELS.map((kernel) => ({ arch, kernel })));
  const nonce = 'ab'.repeat(16);
  return [
    {
      name: 'cmdline: arbitrary text -> tokens and a violation list, never an exception',
      property: fc.property(arbitraryText(CMDLINE_PIECES), fc.constantFrom(...targets), fc.boolean(), (s, t, booted) => {
        const parsed = parseCmdline(s);
        const v = contractViolations(parsed, cmdlineContract(t.arch, t.kernel, { booted }));
        if (!v.every((x) => ['outside', 'value', 'missing'].includes(x.kind) && x.text !== '')) throw new Error('a violation without a kind or text');
        tally('value');
      }),
    },
    {
      name: 'cmdline: rendered token lists round-trip through the tokenizer',
      property: fc.property(fc.array(tokenArb, { maxLength: 12 }), fc.constantFrom(' ', '  ', '\t', '\n'), (tokens, sep) => {
        const parsed = parseCmdline(tokens.map(renderToken).join(sep));
        if (JSON.stringify(parsed.tokens) !== JSON.stringify(tokens)) {
          throw new Error(`round trip: ${JSON.stringify(tokens)} -> ${JSON.stringify(parsed.tokens)}`);
        }
        tally('value');
      }),
    },
    {
      name: "cmdline: the booted line is the contract; any extra token is a violation naming it",
      property: fc.property(fc.constantFrom(...targets), tokenArb, fc.nat(), (t, extra, at) => {
        const line = bootCmdline(t.arch, cmdlineFor(t.arch, t.kernel), nonce);
        const contract = cmdlineContract(t.arch, t.kernel, { booted: true });
        const clean = contractViolations(parseCmdline(line), contract);
        if (clean.length) throw new Error(`the booted line violates its own contract: ${clean[0]!.text}`);
        const parts = line.split(' ');
        parts.splice(at % (parts.length + 1), 0, renderToken(extra));
        const v = contractViolations(parseCmdline(parts.join(' ')), contract);
        if (v.length === 0) {
          // Only an exact repeat of a repeatable token (QEMU's virtio-mmio list) is allowed twice.
          const same = contract.find((c) => c.repeatable && c.key === extra.key);
          if (!same) throw new Error(`extra token ${renderToken(extra)} passed the contract`);
        }
        tally(v.length ? 'input-error' : 'value');
      }),
    },
  ];
}

function sampleReport(): DoctorReport {
  const check = (name: string, status: 'pass' | 'fail' | 'error') => ({ name, rules: ['rule-a'], status, evidence: ['/proc/x: 1'], ms: 1.5 });
  return {
    schema: REPORT_SCHEMA,
    healthy: false,
    arch: 'x86_64',
    kernelRelease: '6.12.117-capsem-000000000000',
    boot: {
      nonce: 'ab'.repeat(16),
      cmdline: 'ro panic=-1',
      kernelVersion: '#1 SMP',
      bootId: '00000000-0000-0000-0000-000000000000',
      target: { arch: 'x86_64', kernel: '6.12', toolchain: 'gcc' },
    },
    checks: [check('test_a', 'pass'), check('test_b', 'fail'), check('test_c', 'error')],
    summary: { passed: 1, failed: 1, errors: 1 },
    ms: 12,
    bootTimings: [{ stage: 'init', ms: 5 }],
  } as unknown as DoctorReport;
}

const OBJECT_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'schema', 'checks', 'x'];

function frames(tally: Tally): NamedProperty[] {
  const report = sampleReport();
  const frame = encodeFrame(report);
  const decoded = (buf: Buffer) => {
    const r = decodeFrame(buf);
    expectedFrameLength(buf);
    tally(r.ok ? 'value' : 'input-error');
    return r;
  };
  const headerEnd = frame.indexOf(0x0a) + 1;
  return [
    {
      name: 'frame: arbitrary bytes -> ok or a reason, never an exception',
      property: fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
          fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.concat([frame.subarray(0, headerEnd), Buffer.from(a)])),
        ),
        (buf) => {
          const r = decoded(buf);
          if (!r.ok && (typeof r.reason !== 'string' || r.reason === '')) throw new Error('a rejection without a reason');
        },
      ),
    },
    {
      name: 'frame: a damaged real frame (flipped, cut or grown) is rejected',
      property: fc.property(fc.nat(frame.length - 1), fc.integer({ min: 1, max: 255 }), fc.constantFrom('flip', 'cut', 'grow'), (at, x, how) => {
        const buf = Buffer.from(frame);
        const damaged = how === 'flip' ? ((buf[at] = buf[at]! ^ x), buf) : how === 'cut' ? buf.subarray(0, at) : Buffer.concat([buf, Buffer.alloc(x, at)]);
        if (decoded(damaged).ok) throw new Error(`${how} at ${at} was accepted`);
      }),
    },
    {
      name: 'frame: forged payloads with a correct hash -> ok only for a valid report',
      property: fc.property(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(...OBJECT_KEYS), fc.boolean(), (junk, key, graft) => {
        const payload = graft ? { ...(JSON.parse(JSON.stringify(report)) as object), [key]: junk } : junk;
        const r = decodeFrame(encodeFrame(payload as unknown as DoctorReport));
        const known = graft && Object.hasOwn(report, key);
        if (r.ok && !known) throw new Error(`forged payload accepted: ${JSON.stringify(payload).slice(0, 200)}`);
        tally(r.ok ? 'value' : 'input-error');
      }),
    },
    {
      name: 'frame: a real report round-trips, an unknown field (any name) is rejected',
      property: fc.property(fc.oneof(fc.constantFrom(...OBJECT_KEYS), fc.string({ maxLength: 12 })), (key) => {
        const back = decodeFrame(frame);
        if (!back.ok || JSON.stringify(back.report) !== JSON.stringify(report)) throw new Error('real report does not round-trip');
        if (Object.hasOwn(report, key)) return;
        const withExtra = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
        Object.defineProperty(withExtra, key, { value: 1, enumerable: true });
        const problems = validateReport(JSON.parse(JSON.stringify(withExtra)));
        if (!problems.some((p) => p.includes('unknown field'))) throw new Error(`unknown field ${JSON.stringify(key)} not reported`);
        tally('input-error');
      }),
    },
  ];
}

const KCONFIG_PIECES = ['config ', 'FOO', 'menuconfig ', 'bool', 'tristate', ' "p"', '"', '\\', '\n', '\t', '  ', 'help\n', '  text\n', 'depends on ', 'select ', 'default ', 'y', 'm', '&&', '||', '!', '(', ')', '=', '!=', 'if ', 'endif\n', 'menu "m"\n', 'endmenu\n', 'choice\n', 'endchoice\n', 'source "Kconfig"\n', '$(', '$(FOO)', '$(shell,echo y)', '$(info,x)', '$(error-if,y,boom)', ':=', '+=', 'X := ', 'range 1 2', 'int', 'hex', 'string', 'optional', 'comment "c"', '#', '\r'];

// The compiler probes the real files call, answered as scripts/Kconfig.include would on a gcc host.
const KCONFIG_PRELUDE = 'cc-option = y\nld-option = y\nas-instr = y\nsuccess = y\nfailure = n\n';

// Each input is written as a scratch Kconfig file; `source` resolves in the real tree for real inputs.
function kconfig(tally: Tally): NamedProperty[] {
  const tree = kernelTree();
  const real = new Map(REAL_KCONFIGS.map((f) => [f, KCONFIG_PRELUDE + readFileSync(join(tree, f), 'utf8')]));
  const scratch = mkdtempSync(join(tmpdir(), 'capsem-fuzz-kconfig-'));
  const load = (text: string, srcDir: string, legacy: boolean) => {
    const file = join(scratch, 'Kconfig');
    writeFileSync(file, text);
    return valueOrInputError(() => loadKconfigFile({ dir: srcDir, file, legacy, env: { SRCARCH: 'x86', ARCH: 'x86_64' }, shell: () => 'y' }));
  };
  process.once('exit', () => rmSync(scratch, { recursive: true, force: true }));
  return [
    {
      name: 'kconfig: arbitrary text -> a tree or InputError (both dialects)',
      property: fc.property(arbitraryText(KCONFIG_PIECES), fc.boolean(), (text, legacy) => tally(load(text, scratch, legacy))),
    },
    {
      name: 'kconfig: real Kconfig files parse; mutated ones -> a tree or InputError',
      property: fc.property(
        fc.constantFrom(...real.keys()).chain((file) => fc.tuple(fc.constant(file), mutated(real.get(file)!))),
        fc.boolean(),
        ([file, text], legacy) => {
          if (load(real.get(file)!, tree, false) !== 'value') throw new Error(`real ${file} does not parse`);
          tally(load(text, tree, legacy));
        },
      ),
    },
  ];
}
export function allProperties(tally: Tally): Record<'dotconfig' | 'cmdline' | 'frame' | 'kconfig', () => NamedProperty[]> {
  return { dotconfig: () => dotconfig(tally), cmdline: () => cmdline(tally), frame: () => frames(tally), kconfig: () => kconfig(tally) };
}
