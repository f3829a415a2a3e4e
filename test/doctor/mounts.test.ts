import { describe, expect, it } from 'vitest';
import { lowerDirs, mountAt, mountOption, parseMounts } from '../../src/doctor/mounts.ts';

describe('/proc/mounts parsing', () => {
  const text = [
    'rootfs / rootfs rw 0 0',
    'overlay / overlay rw,lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work 0 0',
    '/dev/vda /mnt/my\\040lower squashfs ro,relatime 0 0',
    'tmpfs /x tmpfs rw,size=1k,mode=755 0 0',
    '',
  ].join('\n');

  it('unescapes octal and splits options', () => {
    const m = parseMounts(text);
    expect(m).toHaveLength(4);
    expect(m[2]).toEqual({ source: '/dev/vda', mountpoint: '/mnt/my lower', fstype: 'squashfs', options: ['ro', 'relatime'] });
  });

  it('takes the last mount at a point (mounts stack)', () => {
    expect(mountAt(parseMounts(text), '/')?.fstype).toBe('overlay');
    expect(mountAt(parseMounts(text), '/nope')).toBeUndefined();
  });

  it('matches options by whole key, last one winning', () => {
    const m = parseMounts('o / overlay rw,xupperdir=/a,lowerdir=/b,ro,lowerdir=/c 0 0\n')[0]!;
    expect(mountOption(m, 'upperdir')).toBeUndefined();
    expect(mountOption(m, 'lowerdir')).toBe('/c');
    expect(mountOption(m, 'ro')).toBe(true);
    expect(mountOption(m, 'r')).toBeUndefined();
  });

  it('splits overlay lowerdir on unescaped colons', () => {
    expect(lowerDirs('/a:/b\\:c:/d')).toEqual(['/a', '/b:c', '/d']);
  });

  it('rejects a line that is not six fields', () => {
    expect(() => parseMounts('a b c\n')).toThrow(/line 1: expected 6 fields/);
  });
});
