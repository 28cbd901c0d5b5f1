//! Small, fast 64-bit hashes for words and n-grams: FNV-1a over bytes (short inputs, no setup
//! cost) and an order-sensitive combiner, so an n-gram's hash is built from its words' hashes
//! without building the n-gram as a string.

/// FNV-1a's offset basis (64-bit).
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a's prime (64-bit).
pub const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a of `bytes`, varied by `seed` (0 for the plain hash).
pub fn fnv1a(bytes: impl IntoIterator<Item = u8>, seed: u64) -> u64 {
    bytes.into_iter().fold(FNV_OFFSET ^ seed, |h, b| {
        (h ^ b as u64).wrapping_mul(FNV_PRIME)
    })
}

/// One hash for a sequence of hashes; the order matters.
pub fn combine(hashes: &[u64]) -> u64 {
    hashes
        .iter()
        .fold(COMBINE_START, |acc, &h| combine_next(acc, h))
}

/// [`combine`] of the empty sequence.
pub const COMBINE_START: u64 = 0x9e37_79b9_7f4a_7c15;

/// [`combine`] of a sequence extended by `h`, from `acc`, the sequence's own.
#[inline]
pub fn combine_next(acc: u64, h: u64) -> u64 {
    (acc.rotate_left(23) ^ h).wrapping_mul(0xff51_afd7_ed55_8ccd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_and_order_matters_in_combine() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (the published test vector).
        assert_eq!(fnv1a("a".bytes(), 0), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fnv1a("a".bytes(), 1), fnv1a("a".bytes(), 0));
        let (a, b) = (fnv1a("a".bytes(), 0), fnv1a("b".bytes(), 0));
        assert_ne!(combine(&[a, b]), combine(&[b, a]));
    }
}
