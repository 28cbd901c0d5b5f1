//! The deduplication steps, one per file; each is a [`thresh_core::Barrier`] too.

pub mod exact;
pub mod line_dedup;
pub mod minhash;
