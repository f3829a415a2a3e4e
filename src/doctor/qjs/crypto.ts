import { native } from './native.ts';

// node:crypto for the doctor's QuickJS bundle: sha256, hex digests only (the natives hash).
export function createHash(algorithm: 'sha256') {
  if (algorithm !== 'sha256') throw new Error(`unsupported hash ${String(algorithm)} (sha256 only)`);
  const state = native.sha256New();
  const hash = {
    update(data: string | Uint8Array) {
      native.sha256Update(state, typeof data === 'string' ? new Uint8Array(native.utf8Encode(data)) : data);
      return hash;
    },
    digest(enc: 'hex') {
      if (enc !== 'hex') throw new Error(`unsupported digest encoding ${String(enc)} (hex only)`);
      return native.sha256Hex(state);
    },
  };
  return hash;
}
