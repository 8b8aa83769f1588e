//! Identifiers: transaction handles and the random tokens of RFC 3261 (branch, tag, Call-ID),
//! drawn from a seeded RNG so every run can be replayed.
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A transaction handle, unique within one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TxId(pub u64);

impl std::fmt::Display for TxId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "tx{}", self.0)
    }
}

/// Makes branches, tags and Call-IDs from a seeded RNG.
#[derive(Debug)]
pub struct IdGenerator {
    rng: StdRng,
}

/// The RFC 3261 branch magic cookie.
pub const BRANCH_COOKIE: &str = "z9hG4bK";

impl IdGenerator {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        IdGenerator {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// A fresh Via branch with the magic cookie (RFC 3261 §8.1.1.7).
    pub fn branch(&mut self) -> String {
        format!("{BRANCH_COOKIE}{:016x}", self.rng.random::<u64>())
    }

    /// A fresh From/To tag (at least 32 random bits, §19.3).
    pub fn tag(&mut self) -> String {
        format!("{:012x}", self.rng.random::<u64>() & 0xffff_ffff_ffff)
    }

    /// A fresh Call-ID, globally unique with high probability.
    pub fn call_id(&mut self) -> String {
        format!(
            "{:016x}{:08x}",
            self.rng.random::<u64>(),
            self.rng.random::<u32>()
        )
    }
}
