//! Benchmarks only: see `benches/core.rs` and `docs/benchmarks.md`.
