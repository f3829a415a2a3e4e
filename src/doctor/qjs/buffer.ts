import { native } from './native.ts';

// The part of Node's Buffer the doctor uses, over Uint8Array (subarray and
// slice return CapsemBuffer through the species constructor).

type Encoding = 'utf8' | 'utf-8' | 'latin1' | 'binary' | 'ascii' | 'hex';

function latin1(bytes: Uint8Array, mask: number): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    const chunk = Array.from(bytes.subarray(i, i + 8192), (b) => b & mask);
    out += String.fromCharCode(...chunk);
  }
  return out;
}

function encode(text: string, enc: Encoding = 'utf8'): Uint8Array {
  switch (enc) {
    case 'utf8':
    case 'utf-8':
      return new Uint8Array(native.utf8Encode(text));
    case 'latin1':
    case 'binary':
    case 'ascii':
      return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
    case 'hex':
      return Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
  }
  throw new TypeError(`unknown encoding: ${String(enc)}`);
}

export class CapsemBuffer extends Uint8Array {
  override toString(enc: Encoding = 'utf8', start = 0, end = this.length): string {
    const part = start === 0 && end >= this.length ? this : this.subarray(start, end);
    switch (enc) {
      case 'utf8':
      case 'utf-8':
        return native.utf8Decode(part);
      case 'latin1':
      case 'binary':
        return latin1(part, 0xff);
      case 'ascii':
        return latin1(part, 0x7f);
      case 'hex':
        return Array.from(part, (b) => b.toString(16).padStart(2, '0')).join('');
    }
    throw new TypeError(`unknown encoding: ${String(enc)}`);
  }

  equals(other: Uint8Array): boolean {
    if (other.length !== this.length) return false;
    for (let i = 0; i < this.length; i++) if (this[i] !== other[i]) return false;
    return true;
  }

  override indexOf(value: number | string | Uint8Array, from = 0): number {
    if (typeof value === 'number') return super.indexOf(value, from);
    const needle = typeof value === 'string' ? encode(value) : value;
    if (needle.length === 0) return from <= this.length ? from : this.length;
    outer: for (let i = Math.max(0, from); i + needle.length <= this.length; i++) {
      for (let j = 0; j < needle.length; j++) if (this[i + j] !== needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  override includes(value: number | string | Uint8Array, from = 0): boolean {
    return this.indexOf(value, from) !== -1;
  }

  private view(): DataView {
    return new DataView(this.buffer, this.byteOffset, this.byteLength);
  }

  readUInt8(at = 0): number {
    return this.view().getUint8(at);
  }
  readUInt16LE(at = 0): number {
    return this.view().getUint16(at, true);
  }
  readUInt32LE(at = 0): number {
    return this.view().getUint32(at, true);
  }
  readUInt32BE(at = 0): number {
    return this.view().getUint32(at, false);
  }
  readBigUInt64LE(at = 0): bigint {
    return this.view().getBigUint64(at, true);
  }
  writeUInt16LE(v: number, at = 0): number {
    this.view().setUint16(at, v, true);
    return at + 2;
  }
  writeUInt32LE(v: number, at = 0): number {
    this.view().setUint32(at, v, true);
    return at + 4;
  }
  writeBigUInt64LE(v: bigint, at = 0): number {
    this.view().setBigUint64(at, v, true);
    return at + 8;
  }
}

/** Node's Buffer.from: a string encoded, an ArrayBuffer shared, anything else copied. */
export function bufferFrom(value: string | ArrayBuffer | ArrayLike<number>, enc?: Encoding): CapsemBuffer {
  if (typeof value === 'string') {
    const b = encode(value, enc);
    return new CapsemBuffer(b.buffer as ArrayBuffer, b.byteOffset, b.length);
  }
  if (value instanceof ArrayBuffer) return new CapsemBuffer(value);
  const out = new CapsemBuffer(value.length);
  out.set(value);
  return out;
}

export const bufferAlloc = (size: number, fill = 0) => new CapsemBuffer(size).fill(fill);

export function bufferConcat(list: readonly Uint8Array[], total?: number): CapsemBuffer {
  const length = total ?? list.reduce((n, b) => n + b.length, 0);
  const out = new CapsemBuffer(length);
  let at = 0;
  for (const b of list) {
    if (at >= length) break;
    out.set(b.subarray(0, length - at), at);
    at += b.length;
  }
  return out;
}

/** The global Buffer: the class with Node's static helpers. */
export const NodeBuffer = Object.assign(CapsemBuffer, {
  from: bufferFrom,
  alloc: bufferAlloc,
  concat: bufferConcat,
  isBuffer: (v: unknown) => v instanceof CapsemBuffer,
  byteLength: (text: string) => encode(text).length,
});

