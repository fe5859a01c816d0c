//! Cost per call of a trivial function, sync and async, plain and instrumented in each
//! set-up, in one run: no subscriber; `#[instrument]` + tracing-opentelemetry; the
//! OpenTelemetry SDK used directly (`in_span`, and for async a span in the context made
//! current on every poll); fastrace; ours. Each pipeline's spans go to an SDK
//! processor that drops them.

use std::hint::black_box;

use criterion::{
    BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime,
};
use opentelemetry::context::FutureExt as _;
use opentelemetry::trace::{TraceContextExt as _, Tracer as _, TracerProvider as _};
use opentelemetry_sdk::trace::Sampler;
use traced::sampling::SamplerKind;
use traced_bench::{block_on, otel_subscriber, traced_subscriber};
use tracing_subscriber::filter::LevelFilter;

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

#[fastrace::trace]
#[inline(never)]
fn fastraced(x: u64) -> u64 {
    black_box(x) + 1
}

#[inline(never)]
async fn plain_async(x: u64) -> u64 {
    black_box(x) + 1
}

#[tracing::instrument(skip_all)]
#[inline(never)]
async fn instrumented_async(x: u64) -> u64 {
    black_box(x) + 1
}

#[traced::traced]
#[inline(never)]
async fn traced_async(x: u64) -> u64 {
    black_box(x) + 1
}

#[fastrace::trace]
#[inline(never)]
async fn fastraced_async(x: u64) -> u64 {
    black_box(x) + 1
}

/// A sampler set-up: its label, the SDK's sampler for the alternatives, and the same
/// sampler as ours (which the provider and the layer share, as `traced::init!` sets them up).
type SamplerSetup = (&'static str, fn() -> Sampler, SamplerKind);

fn samplers() -> [SamplerSetup; 4] {
    [
        ("always_on", || Sampler::AlwaysOn, SamplerKind::AlwaysOn),
        // The default sampler: roots and children of sampled spans are sampled, but the
        // sampler may drop (a child of an unsampled parent), so the layer keeps asking.
        (
            "parentbased_always_on",
            || Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
            SamplerKind::ParentBasedAlwaysOn,
        ),
        ("always_off", || Sampler::AlwaysOff, SamplerKind::AlwaysOff),
        (
            "ratio_0.01",
            || Sampler::TraceIdRatioBased(0.01),
            SamplerKind::TraceIdRatio(0.01),
        ),
    ]
}

fn no_subscriber(group: &mut BenchmarkGroup<'_, WallTime>) {
    group.bench_function("plain", |b| b.iter(|| plain(black_box(1))));
    group.bench_function("plain/async", |b| {
        b.iter(|| block_on(plain_async(black_box(1))))
    });
    group.bench_function("instrument/no_subscriber", |b| {
        b.iter(|| instrumented(black_box(1)))
    });
    group.bench_function("instrument/no_subscriber/async", |b| {
        b.iter(|| block_on(instrumented_async(black_box(1))))
    });
    group.bench_function("traced/no_subscriber", |b| {
        b.iter(|| traced_fn(black_box(1)))
    });
    group.bench_function("traced/no_subscriber/async", |b| {
        b.iter(|| block_on(traced_async(black_box(1))))
    });
    // fastrace with no root span in scope records nothing: its "disabled" state.
    group.bench_function("fastrace/no_root", |b| b.iter(|| fastraced(black_box(1))));
    // What being a `tracing` span costs before any layer: the Registry's slot, enter, exit
    // and close.
    tracing::subscriber::with_default(tracing_subscriber::registry(), || {
        group.bench_function("instrument/registry_only", |b| {
            b.iter(|| instrumented(black_box(1)))
        });
    });
}

fn pipelines(group: &mut BenchmarkGroup<'_, WallTime>) {
    for (label, sdk_sampler, kind) in samplers() {
        tracing::subscriber::with_default(otel_subscriber(sdk_sampler()), || {
            group.bench_function(format!("instrument+tracing-opentelemetry/{label}"), |b| {
                b.iter(|| instrumented(black_box(1)))
            });
            group.bench_function(
                format!("instrument+tracing-opentelemetry/{label}/async"),
                |b| b.iter(|| block_on(instrumented_async(black_box(1)))),
            );
        });
        tracing::subscriber::with_default(traced_subscriber(kind, LevelFilter::OFF), || {
            group.bench_function(format!("traced/{label}"), |b| {
                b.iter(|| traced_fn(black_box(1)))
            });
            group.bench_function(format!("traced/{label}/async"), |b| {
                b.iter(|| block_on(traced_async(black_box(1))))
            });
        });
        // The unsampled set-ups again, with their spans kept for log lines.
        if !label.ends_with("always_on") {
            tracing::subscriber::with_default(traced_subscriber(kind, LevelFilter::INFO), || {
                group.bench_function(format!("traced/{label}/spans_shown_by_logs"), |b| {
                    b.iter(|| traced_fn(black_box(1)))
                });
            });
        }
        let provider = traced_bench::provider(sdk_sampler());
        let tracer = provider.tracer("bench");
        group.bench_function(format!("otel-sdk-direct/{label}"), |b| {
            b.iter(|| tracer.in_span("sdk", |_| plain(black_box(1))))
        });
        // The SDK's async form: the span in a context made current on every poll, ended
        // when the future (and its context) is dropped.
        group.bench_function(format!("otel-sdk-direct/{label}/async"), |b| {
            b.iter(|| {
                let cx = opentelemetry::Context::current_with_span(tracer.start("sdk"));
                block_on(plain_async(black_box(1)).with_context(cx))
            })
        });
    }
}

/// A span inside an entered, unsampled parent: what most spans of a 1% trace are.
fn children_of_unsampled(group: &mut BenchmarkGroup<'_, WallTime>) {
    let parent_based_on = || Sampler::ParentBased(Box::new(Sampler::AlwaysOn));
    tracing::subscriber::with_default(otel_subscriber(parent_based_on()), || {
        let parent = tracing::info_span!("unsampled parent");
        tracing_opentelemetry::OpenTelemetrySpanExt::set_parent(
            &parent,
            traced_bench::unsampled_remote_parent(),
        )
        .expect("the parent is not started yet");
        let _entered = parent.enter();
        group.bench_function("instrument+tracing-opentelemetry/child_of_unsampled", |b| {
            b.iter(|| instrumented(black_box(1)))
        });
    });
    for (label, shown) in [
        ("traced/child_of_unsampled", LevelFilter::OFF),
        (
            "traced/child_of_unsampled/spans_shown_by_logs",
            LevelFilter::INFO,
        ),
    ] {
        let subscriber = traced_subscriber(SamplerKind::ParentBasedAlwaysOn, shown);
        tracing::subscriber::with_default(subscriber, || {
            let parent = traced::SpanStart::default()
                .parent(traced_bench::unsampled_remote_parent())
                .create(|| tracing::info_span!("unsampled parent"));
            let _entered = parent.enter();
            group.bench_function(label, |b| b.iter(|| traced_fn(black_box(1))));
        });
    }
}

/// Runs `call` `iters` times under fastrace roots of 100 children each and returns the time.
fn under_fastrace_roots(iters: u64, call: impl Fn()) -> std::time::Duration {
    let start = std::time::Instant::now();
    let mut done = 0;
    while done < iters {
        let root = fastrace::Span::root("root", fastrace::prelude::SpanContext::random());
        let _guard = root.set_local_parent();
        for _ in 0..(iters - done).min(100) {
            call();
            done += 1;
        }
    }
    start.elapsed()
}

/// fastrace recording, reported to a reporter that drops the spans.
fn fastrace_recording(group: &mut BenchmarkGroup<'_, WallTime>) {
    fastrace::set_reporter(
        traced_bench::FastraceDiscard,
        fastrace::collector::Config::default(),
    );
    group.bench_function("fastrace/recording", |b| {
        b.iter_custom(|iters| {
            under_fastrace_roots(iters, || {
                fastraced(black_box(1));
            })
        })
    });
    group.bench_function("fastrace/recording/async", |b| {
        b.iter_custom(|iters| {
            under_fastrace_roots(iters, || {
                block_on(fastraced_async(black_box(1)));
            })
        })
    });
    fastrace::flush();
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("span");
    no_subscriber(&mut group);
    pipelines(&mut group);
    children_of_unsampled(&mut group);
    fastrace_recording(&mut group);
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
