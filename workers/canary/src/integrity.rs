//! Data whose correctness a client can check: a buffer filled from a seed, and its checksum.
//! The harness computes the same checksum from the seed (`harness/shim/integrity.ts`), so a
//! buffer that lived in linear memory across an await proves it was not overwritten.

/// Bytes of xorshift32 output starting from `seed` (0 is replaced by 1).
pub fn pattern(seed: u32, len: usize) -> Vec<u8> {
    let mut state = if seed == 0 { 1 } else { seed };
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect()
}

/// 32-bit FNV-1a.
pub fn checksum(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |hash, &b| (hash ^ b as u32).wrapping_mul(0x0100_0193))
}

/// The buffer a sibling holds across an await, and what each level of a re-entrant chain keeps
/// on the shadow stack across its inner call (harness/protocol/constants.json).
pub use crate::protocol::{BUFFER_BYTES, FRAME_BYTES};

/// The seed of level `level`'s frame in a chain started with `seed` (`frameSeed` there).
pub fn frame_seed(seed: u32, level: u32) -> u32 {
    seed.wrapping_add(level.wrapping_mul(0x9e37_79b9))
}

/// What an inner call does to the shadow stack below its caller's frame: takes a frame of its
/// own and writes all of it. Where the stack pointer was put back wrongly after an unwind, this
/// lands on the frames of outer levels.
#[inline(never)]
pub fn stack_work() {
    let mut scratch = [0xeeu8; 4 * FRAME_BYTES];
    std::hint::black_box(&mut scratch);
}
