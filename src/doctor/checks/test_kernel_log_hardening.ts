import { defineCheck, fail, pass, quote } from '../define.ts';
import { readKernelLog } from '../observe.ts';

const LOCKED_DOWN = { line: /^Kernel is locked down from Kernel configuration;/, says: 'Kernel is locked down from Kernel configuration' };

/**
 * The boot message each rule's code prints when it is built in and in effect
 * (the kernel's own words, 6.1-6.12). A rule naming this check without an
 * entry is a bug the unit test catches.
 */
export const BOOT_MESSAGES: Record<string, { line: RegExp; says: string }> = {
  'security-lockdown': LOCKED_DOWN,
  'security-lockdown-early': LOCKED_DOWN,
  'lockdown-confidentiality': LOCKED_DOWN,
  'security-landlock': { line: /^landlock: Up and running\./, says: 'landlock: Up and running.' },
  'debug-wx': { line: /Checked W\+X mappings: passed, no W\+X pages found/, says: 'Checked W+X mappings: passed, no W+X pages found' },
  'init-on-alloc': { line: /^mem auto-init: .*heap alloc:on/, says: 'mem auto-init: ... heap alloc:on' },
  'init-on-free': { line: /^mem auto-init: .*heap free:on/, says: 'mem auto-init: ... heap free:on' },
};

// What the kernel says it did at boot, read once from /dev/kmsg: lockdown in
// force, Landlock initialised, the W+X page-table scan clean, memory
// auto-initialisation on. A missing line is a property not in effect.
export default defineCheck({
  name: 'test_kernel_log_hardening',
  needs: ['procfs'],
  reasons: { 'message-missing': 'the kernel log lacks the boot message of a hardening feature (not built in, or not in effect)' },
  run(ctx) {
    const log = readKernelLog(ctx);
    const evidence = [`/dev/kmsg: ${log.length} messages`];
    let missing = false;
    // One search of the whole log per rule instead of one regex call per message (hundreds, each costly
    // interpreted): with 'm', ^ is a message's start, and no pattern matches across a newline. The regex
    // starts at the message where the first literal part of `says` first appears (indexOf runs in C).
    const text = log.join('\n');
    const find = ({ line, says }: { line: RegExp; says: string }) => {
      const first = text.indexOf(says.split('...')[0]!.trim());
      if (first === -1) return undefined;
      const re = new RegExp(line.source, `${line.flags}gm`);
      re.lastIndex = first === 0 ? 0 : text.lastIndexOf('\n', first - 1) + 1;
      const at = re.exec(text)?.index;
      if (at === undefined) return undefined;
      const end = text.indexOf('\n', at);
      return text.slice(at === 0 ? 0 : text.lastIndexOf('\n', at - 1) + 1, end === -1 ? text.length : end);
    };
    for (const rule of ctx.rules) {
      const want = BOOT_MESSAGES[rule.id]!;
      const seen = find(want);
      evidence.push(`${rule.id}: ${seen ? quote(seen, 120) : `no line "${want.says}"`}`);
      missing ||= !seen;
    }
    return missing ? fail('message-missing', evidence) : pass(evidence);
  },
});
