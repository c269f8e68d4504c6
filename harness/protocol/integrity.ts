// The canary's integrity check, computed independently of the guest (mirror of
// workers/canary/src/integrity.rs): the checksum a buffer derived from `seed` must have.
import { BUFFER_BYTES, FRAME_BYTES } from "./constants.ts";

/** One xorshift32 step: the generator behind every checked buffer. */
function next(state: number): number {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  return state >>> 0;
}

export function pattern(seed: number, length: number): Uint8Array {
  let state = seed >>> 0 || 1;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    state = next(state);
    out[i] = state & 0xff;
  }
  return out;
}

/** 32-bit FNV-1a. */
export function checksum(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193) >>> 0;
  return hash;
}

/**
 * The checksum of the buffer a request derived from `seed`, `bytes` long (by default the
 * protocol's own size): `checksum(pattern(seed, bytes))` without the buffer, since the harness
 * computes one per sibling (thousands per run).
 */
export function expectedChecksum(seed: number, bytes = BUFFER_BYTES): number {
  let state = seed >>> 0 || 1;
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes; i++) {
    state = next(state);
    hash = Math.imul(hash ^ (state & 0xff), 0x01000193) >>> 0;
  }
  return hash;
}

// ---- faithful errors and re-entrant frames -----------------------------------------------
// A fault request may name its message (`?text=&n=`): the canary fails with `faultMessage(text,
// n)`, formatted inside Rust at run time, so the harness knows what the caller must receive.

/** Multi-byte UTF-8 of every width (2, 3 and 4 bytes): a length or decoding slip shows in it. */
export const NON_ASCII = "ünïcødé ✓ 日本 🦀";

/** Code points a string argument must carry unchanged: NUL and other controls, DEL, Latin-1's edges. */
export const CONTROL_CHARS = "\u0000\u0001\t\n\u001f\u007f\u0080\u00ff";

/** The message of a fault request `?text=<text>&n=<n>` (Rust: `panic!("{} {}", text, n)`). */
export const faultMessage = (text: string, n: number): string => `${text} ${n}`;

const searchParams = (path: string) => new URL(path, "http://canary.test").searchParams;

/** What a fault request at `path` asked to fail with; undefined when it named no message. */
export function requestedMessage(path: string): string | undefined {
  const params = searchParams(path);
  const text = params.get("text");
  const n = Number(params.get("n"));
  return text === null || !Number.isSafeInteger(n) ? undefined : faultMessage(text, n);
}

/** The seed of level `level`'s frame in a chain started with `seed` (mirror of workers/canary/src/reenter.rs). */
export const frameSeed = (seed: number, level: number): number => (seed + Math.imul(level, 0x9e3779b9)) >>> 0;

/** The checksum level `level`'s frame must still have when its inner call returns. */
export const expectedFrameChecksum = (seed: number, level: number): number => checksum(pattern(frameSeed(seed, level), FRAME_BYTES));

/** The frame seed a re-entrant request at `path` carried; undefined when it carried none. */
export function requestedFrameSeed(path: string): number | undefined {
  const seed = searchParams(path).get("seed");
  return seed !== null && Number.isSafeInteger(Number(seed)) ? Number(seed) : undefined;
}
