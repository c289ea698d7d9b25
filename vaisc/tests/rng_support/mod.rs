//! The random sequences of the differential tests: a small deterministic generator
//! (xorshift64*), so that a seed names one sequence, and the seed `VAIS_INCREMENTAL_SEED`
//! chooses.

pub struct Rng(pub u64);

impl Rng {
    /// The generator of the sequence `VAIS_INCREMENTAL_SEED` names, else of `default`.
    pub fn from_env(default: u64) -> Rng {
        let seed = std::env::var("VAIS_INCREMENTAL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default);
        // xorshift never leaves zero.
        Rng(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
