//! Compile time of 300 annotated functions: ours against `#[tracing::instrument]`, and the
//! same 300 functions unannotated, so that what each attribute adds can be read off.
//!
//! Each variant is a generated crate (under `target/compile-bench/`) that depends on this
//! workspace's `traced` and on `tracing`; its dependencies are built once, before measuring.
//! One sample is one `cargo build` (dev profile, as while developing) of that crate after
//! its source changed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

const FUNCTIONS: usize = 300;

#[derive(Clone, Copy)]
enum Variant {
    Plain,
    Instrument,
    Traced,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Plain => "plain",
            Variant::Instrument => "instrument",
            Variant::Traced => "traced",
        }
    }

    /// The attribute put on a function that returns a `Result`, and on one that does not.
    /// Both record errors and no arguments, as ours does by default.
    fn attributes(self) -> (&'static str, &'static str) {
        match self {
            Variant::Plain => ("", ""),
            Variant::Instrument => (
                "#[tracing::instrument(skip_all, err)]",
                "#[tracing::instrument(skip_all)]",
            ),
            Variant::Traced => ("#[traced::traced]", "#[traced::traced]"),
        }
    }
}

/// Sync and async functions, half of them fallible, as in a service's code.
fn source(variant: Variant, generation: u64) -> String {
    let (fallible, infallible) = variant.attributes();
    let mut out = format!("// generation {generation}\n#![allow(clippy::all)]\n");
    for i in 0..FUNCTIONS {
        let text = match i % 4 {
            0 => format!(
                "{fallible}\npub fn parse_{i}(a: u64, b: &str) -> Result<u64, std::num::ParseIntError> {{\n    Ok(a + b.parse::<u64>()?)\n}}\n"
            ),
            1 => format!(
                "{infallible}\npub fn add_{i}(a: u64, b: u64) -> u64 {{\n    a.wrapping_add(b).rotate_left({r})\n}}\n",
                r = i % 7
            ),
            2 => format!(
                "{fallible}\npub async fn load_{i}(id: u64) -> Result<String, std::fmt::Error> {{\n    use std::fmt::Write as _;\n    let mut s = String::new();\n    write!(s, \"item {{id}}\")?;\n    Ok(s)\n}}\n"
            ),
            _ => format!(
                "{infallible}\npub async fn count_{i}(items: Vec<u64>) -> usize {{\n    items.iter().filter(|x| **x > {i}).count()\n}}\n"
            ),
        };
        out.push_str(&text);
    }
    out
}

struct Crate {
    dir: PathBuf,
    variant: Variant,
    target: PathBuf,
}

impl Crate {
    fn create(root: &Path, variant: Variant) -> Self {
        let base = root.join("target").join("compile-bench");
        let dir = base.join(variant.name());
        std::fs::create_dir_all(dir.join("src")).expect("a crate folder");
        let runtime = root.join("runtime");
        let manifest = format!(
            "[package]\nname = \"compile-bench-{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\ntraced = {{ path = {runtime:?} }}\ntracing = \"0.1.44\"\n\n[workspace]\n",
            name = variant.name(),
            runtime = runtime.display().to_string(),
        );
        std::fs::write(dir.join("Cargo.toml"), manifest).expect("a manifest");
        // The workspace's lock file: the same versions, nothing to resolve.
        std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");
        let krate = Crate {
            dir,
            variant,
            target: base.join("target"),
        };
        krate.build(0);
        krate
    }

    fn build(&self, generation: u64) {
        std::fs::write(
            self.dir.join("src/lib.rs"),
            source(self.variant, generation),
        )
        .expect("the source");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--offline", "--quiet", "--lib"])
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("RUSTFLAGS")
            .current_dir(&self.dir)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "the {} crate builds", self.variant.name());
    }
}

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root");
    let crates: Vec<Crate> = [Variant::Plain, Variant::Instrument, Variant::Traced]
        .into_iter()
        .map(|variant| Crate::create(root, variant))
        .collect();
    let mut group = c.benchmark_group("compile_300_functions");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(1));
    group.measurement_time(Duration::from_secs(20));
    for krate in &crates {
        let mut generation = 0;
        group.bench_function(krate.variant.name(), |b| {
            b.iter(|| {
                generation += 1;
                krate.build(generation);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
