import { describe, expect, it } from 'vitest';
import { cacheKey, cachePaths, type CacheInputs } from '../../src/build/cache.ts';

const BASE: CacheInputs = {
  sourceSha256: '585a4a07'.padEnd(64, '0'),
  fragment: 'CONFIG_64BIT=y\n',
  arch: 'x86_64',
  kernel: '6.12',
  toolchain: 'gcc',
  toolchainBanner: 'gcc (Debian 12.2.0-14) 12.2.0; GNU ld (GNU Binutils for Debian) 2.40',
  makeTarget: 'bzImage',
  reproducible: { timestamp: 'Sat Nov 14 12:56:01 UTC 2026', user: 'capsem', host: 'capsem', version: '1' },
};

// Every input that changes the image must change the key; one case per input.
const CHANGES: [string, Partial<CacheInputs>][] = [
  ['source', { sourceSha256: 'cacdc383'.padEnd(64, '0') }],
  ['fragment (one option flipped)', { fragment: '# CONFIG_64BIT is not set\n' }],
  ['arch', { arch: 'arm64', makeTarget: 'Image' }],
  ['kernel', { kernel: '6.1' }],
  ['toolchain', { toolchain: 'clang' }],
  ['compiler version', { toolchainBanner: 'gcc (Debian 12.2.0-15) 12.2.0; GNU ld 2.40' }],
  ['build timestamp', { reproducible: { ...BASE.reproducible, timestamp: 'Sun Nov 15 00:00:00 UTC 2026' } }],
];

describe('build cache key', () => {
  it('is stable for the same inputs, whatever the object key order', () => {
    const reordered = Object.fromEntries(Object.entries(BASE).reverse()) as unknown as CacheInputs;
    expect(cacheKey(reordered)).toBe(cacheKey(BASE));
    expect(cacheKey({ ...BASE, reproducible: Object.fromEntries(Object.entries(BASE.reproducible).reverse()) })).toBe(cacheKey(BASE));
    expect(cacheKey(BASE)).toMatch(/^[0-9a-f]{64}$/);
  });
  for (const [what, change] of CHANGES) {
    it(`changes with the ${what}`, () => expect(cacheKey({ ...BASE, ...change })).not.toBe(cacheKey(BASE)));
  }
  it('lays an entry out under builds/<key>/ with the O= tree inside', () => {
    const p = cachePaths('/c', 'k', 'bzImage');
    expect(p).toMatchObject({ root: '/c/builds/k', obj: '/c/builds/k/obj', image: '/c/builds/k/bzImage', manifest: '/c/builds/k/manifest.json' });
  });
});
