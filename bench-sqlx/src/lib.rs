//! The query attribute's benchmark lives in `benches/query.rs`; this crate has no code of its
//! own. It is apart from `traced-bench` because sqlx enables `tracing`'s `log` feature, which
//! makes every `tracing` span dearer (about 110 instructions): in `traced-bench` it would
//! change what the other benches measure.
