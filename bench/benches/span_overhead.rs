//! Cost per call of a trivial function, plain and instrumented in each set-up, in one run.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use opentelemetry::trace::{Tracer as _, TracerProvider as _};
use opentelemetry_sdk::trace::Sampler;
use tracing_subscriber::layer::SubscriberExt as _;

#[inline(never)]
fn plain(x: u64) -> u64 {
    black_box(x) + 1
}

#[tracing::instrument(skip_all)]
#[inline(never)]
fn instrumented(x: u64) -> u64 {
    black_box(x) + 1
}

#[traced::traced]
#[inline(never)]
fn traced_fn(x: u64) -> u64 {
    black_box(x) + 1
}

fn samplers() -> [(&'static str, Sampler); 2] {
    [
        ("always_on", Sampler::AlwaysOn),
        ("always_off", Sampler::AlwaysOff),
    ]
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("span");
    group.bench_function("plain", |b| b.iter(|| plain(black_box(1))));
    group.bench_function("instrument/no_subscriber", |b| {
        b.iter(|| instrumented(black_box(1)))
    });
    group.bench_function("traced/no_subscriber", |b| {
        b.iter(|| traced_fn(black_box(1)))
    });

    for (label, sampler) in samplers() {
        let provider = traced_bench::provider(sampler);
        let subscriber = tracing_subscriber::registry()
            .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("bench")));
        tracing::subscriber::with_default(subscriber, || {
            group.bench_function(format!("instrument+tracing-opentelemetry/{label}"), |b| {
                b.iter(|| instrumented(black_box(1)))
            });
        });

        let provider = traced_bench::provider(match label {
            "always_on" => Sampler::AlwaysOn,
            _ => Sampler::AlwaysOff,
        });
        let subscriber =
            tracing_subscriber::registry().with(traced::TracedLayer::new(provider.tracer("bench")));
        tracing::subscriber::with_default(subscriber, || {
            group.bench_function(format!("traced/{label}"), |b| {
                b.iter(|| traced_fn(black_box(1)))
            });
        });

        let provider = traced_bench::provider(match label {
            "always_on" => Sampler::AlwaysOn,
            _ => Sampler::AlwaysOff,
        });
        let tracer = provider.tracer("bench");
        group.bench_function(format!("otel-sdk-direct/{label}"), |b| {
            b.iter(|| tracer.in_span("sdk", |_| plain(black_box(1))))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
