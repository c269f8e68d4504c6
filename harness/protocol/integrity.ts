// The canary's integrity check, computed independently of the guest (mirror of
// workers/canary/src/integrity.rs): the checksum a buffer derived from `seed` must have.

export const BUFFER_BYTES = 16 * 1024;

export function pattern(seed: number, length: number): Uint8Array {
  let state = seed >>> 0 || 1;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out[i] = state & 0xff;
  }
  return out;
}

/** 32-bit FNV-1a. */
export function checksum(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
  return hash;
}

export function expectedChecksum(seed: number): number {
  return checksum(pattern(seed, BUFFER_BYTES));
}
