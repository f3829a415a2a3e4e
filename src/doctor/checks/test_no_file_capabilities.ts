import { defineCheck, error, fail, pass } from '../define.ts';
import { modeWalk } from '../kinds.ts';
import { Bail } from '../observe.ts';
import { ProbeError } from '../env.ts';

// A file capability (the security.capability xattr) raises privileges on exec
// like setuid does, without a mode bit. Node cannot read xattrs: the probe
// asks lgetxattr for every regular file of the same walk the setuid checks use.
export default defineCheck({
  name: 'test_no_file_capabilities',
  needs: ['procfs', 'probe'],
  reasons: { 'file-capability-found': 'a file carries a security.capability xattr' },
  run(ctx) {
    const walk = modeWalk(ctx);
    let answer;
    try {
      answer = ctx.probe.fileCaps(walk.files);
    } catch (e) {
      if (e instanceof ProbeError) throw new Bail(error('unreadable', [e.message]));
      throw e;
    }
    const evidence = [
      `asked ${ctx.probe.path} for security.capability on ${walk.files.length} files of ${walk.mounts.length} mounts (${walk.mounts.join(', ')}) (policy: none)`,
      ...answer.withCaps.map((p) => `${p}: has security.capability`),
      ...answer.unreadable.map((u) => `${u.path}: ${u.code}`),
      ...walk.unreadable,
    ];
    if (answer.withCaps.length) return fail('file-capability-found', evidence);
    if (answer.unreadable.length || walk.unreadable.length) return error('unreadable', evidence);
    return pass(evidence);
  },
});
