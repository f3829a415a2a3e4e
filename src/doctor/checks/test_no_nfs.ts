import { defineCheck, fail, pass } from '../define.ts';
import { readFilesystems } from '../observe.ts';

const NFS_TYPES = ['nfs', 'nfs4'];

export default defineCheck({
  name: 'test_no_nfs',
  needs: ['procfs'],
  reasons: { 'nfs-registered': 'an NFS filesystem type is registered' },
  run(ctx) {
    const fs = readFilesystems(ctx);
    const hits = NFS_TYPES.filter((t) => fs.has(t));
    const evidence = [`/proc/filesystems: ${fs.size} types, ${hits.length ? `lists ${hits.join(', ')}` : 'no nfs or nfs4'}`];
    return hits.length ? fail('nfs-registered', evidence) : pass(evidence);
  },
});
