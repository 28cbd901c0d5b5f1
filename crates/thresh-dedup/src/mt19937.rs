//! The random permutation parameters datatrove's MinHash draws: numpy's legacy
//! `RandomState(seed).randint(low, high, dtype=uint64)`, i.e. MT19937 seeded by `init_genrand`
//! and masked rejection sampling of 64-bit draws, reproduced so that thresh's signatures equal
//! datatrove's bit for bit.

/// The Mersenne Twister MT19937 (Matsumoto & Nishimura 1998).
pub struct Mt19937 {
    state: [u32; 624],
    index: usize,
}

impl Mt19937 {
    /// Seeded as numpy's `RandomState(seed)` seeds it (`init_genrand`).
    pub fn new(seed: u32) -> Self {
        let mut state = [0u32; 624];
        state[0] = seed;
        for i in 1..624 {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 { state, index: 624 }
    }

    fn twist(&mut self) {
        for i in 0..624 {
            let y = (self.state[i] & 0x8000_0000) | (self.state[(i + 1) % 624] & 0x7fff_ffff);
            let mut next = self.state[(i + 397) % 624] ^ (y >> 1);
            if y & 1 != 0 {
                next ^= 0x9908_b0df;
            }
            self.state[i] = next;
        }
        self.index = 0;
    }

    /// The next 32-bit output.
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= 624 {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// The next 64-bit output: two 32-bit outputs, the first as the high half.
    pub fn next_u64(&mut self) -> u64 {
        let high = self.next_u32() as u64;
        (high << 32) | self.next_u32() as u64
    }

    /// `count` integers in `[low, high)`, as numpy's legacy `randint(low, high, size=count,
    /// dtype=uint64)` draws them.
    pub fn randint_u64(&mut self, low: u64, high: u64, count: usize) -> Vec<u64> {
        let range = high - 1 - low;
        let mut mask = range;
        for shift in [1, 2, 4, 8, 16, 32] {
            mask |= mask >> shift;
        }
        (0..count)
            .map(|_| loop {
                let value = self.next_u64() & mask;
                if value <= range {
                    break low + value;
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_numpy_random_state() {
        // np.random.RandomState(1): randint(1, 2**61 - 1, size=112), then randint(0, …, size=112),
        // printed by numpy 2 (the values datatrove's MinhashConfig(seed=1) uses).
        let p = (1u64 << 61) - 1;
        let mut rng = Mt19937::new(1);
        let a = rng.randint_u64(1, p, 112);
        let b = rng.randint_u64(0, p, 112);
        assert_eq!(
            a[..3],
            [775169054918279404, 1758426461858698313, 2109959069025162]
        );
        assert_eq!(a[111], 223865076026037746);
        assert_eq!(
            b[..3],
            [
                1062448801025099917,
                1324811268927594100,
                1217488311597731462
            ]
        );
        assert_eq!(b[111], 1097409548522419201);
    }

    #[test]
    fn the_reference_output_of_mt19937() {
        // init_genrand(5489), the reference implementation's default seed: 10,000th output.
        let mut rng = Mt19937::new(5489);
        let mut last = 0;
        for _ in 0..10_000 {
            last = rng.next_u32();
        }
        assert_eq!(last, 4_123_659_995);
    }
}
