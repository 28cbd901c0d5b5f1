//! Per-thread memo of chunk tokenisations (a chunk's tokens depend only on its text).
//!
//! Two levels: a small direct-mapped table with the key inline (chunks up to 16 bytes with up
//! to 8 tokens: most words), which stays in the CPU cache, and a hash map behind it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// An FxHash-style hasher with a final mix: the keys are short strings.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn finish(&self) -> u64 {
        // Fold the high bits down: hash tables index buckets by the low bits.
        let h = self.0;
        (h ^ (h >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (h >> 32)
    }
}

impl FxHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
/// A `HashSet` with [`FxHasher`].
pub(crate) type FxSet<K> = std::collections::HashSet<K, BuildHasherDefault<FxHasher>>;

/// Whether a table reused between documents, of this capacity, is far larger than a text that
/// needs `needed` entries (an earlier, much longer text left it so): then it is dropped, not
/// cleared.
pub(crate) fn oversized(capacity: usize, needed: usize) -> bool {
    capacity > 8 * needed.max(4096)
}

/// Chunks at most this long (bytes) are memoised; offsets then fit in 7 bits.
pub(crate) const MAX_CHUNK: usize = 127;
/// Bit set in a memoised end offset when the token starts a special-case pattern.
pub(crate) const PAT_BIT: u8 = 0x80;
/// The hash map is cleared when it reaches this many chunks.
const MAX_ENTRIES: usize = 200_000;
/// Slots of the direct-mapped table (a power of two).
const SLOTS: usize = 8192;

#[derive(Clone, Copy, Default)]
struct Slot {
    /// The chunk's bytes, zero-padded; `len == 0` marks an empty slot.
    key: u128,
    len: u8,
    n: u8,
    ends: [u8; 8],
}

/// Memoised token end offsets (relative to the chunk, with [`PAT_BIT`]) per chunk.
pub(crate) struct ChunkMemo {
    slots: Box<[Slot]>,
    map: FxMap<Box<str>, Box<[u8]>>,
}

impl Default for ChunkMemo {
    fn default() -> Self {
        ChunkMemo {
            slots: vec![Slot::default(); SLOTS].into_boxed_slice(),
            map: FxMap::default(),
        }
    }
}

/// The direct-mapped slot and packed key of a chunk of at most 16 bytes.
#[inline]
fn small_key(chunk: &str) -> Option<(usize, u128)> {
    let b = chunk.as_bytes();
    if b.len() > 16 {
        return None;
    }
    let mut k = [0u8; 16];
    k[..b.len()].copy_from_slice(b);
    let key = u128::from_le_bytes(k);
    let h = ((key as u64).wrapping_mul(K)
        ^ ((key >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
    .wrapping_add(b.len() as u64);
    Some(((h ^ (h >> 31)) as usize & (SLOTS - 1), key))
}

impl ChunkMemo {
    /// The memoised end offsets of `chunk`, if any.
    #[inline]
    pub(crate) fn get(&mut self, chunk: &str) -> Option<&[u8]> {
        let small = small_key(chunk);
        if let Some((i, key)) = small {
            let slot = &self.slots[i];
            if slot.key == key && usize::from(slot.len) == chunk.len() {
                return Some(&self.slots[i].ends[..usize::from(slot.n)]);
            }
        }
        let ends = self.map.get(chunk)?;
        match small {
            Some((i, key)) if ends.len() <= 8 => {
                let slot = &mut self.slots[i];
                *slot = Slot {
                    key,
                    len: chunk.len() as u8,
                    n: ends.len() as u8,
                    ends: [0; 8],
                };
                slot.ends[..ends.len()].copy_from_slice(ends);
                Some(&self.slots[i].ends[..ends.len()])
            }
            _ => Some(ends),
        }
    }

    /// Memoises the end offsets of `chunk` (at most [`MAX_CHUNK`] bytes).
    pub(crate) fn insert(&mut self, chunk: &str, ends: Box<[u8]>) {
        if self.map.len() >= MAX_ENTRIES {
            self.map.clear();
        }
        self.map.insert(chunk.into(), ends);
    }
}
