//! Nothing here: see `tests/renamed.rs`.
