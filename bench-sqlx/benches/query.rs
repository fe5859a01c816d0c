//! Cost per call of `#[traced_query]` on a trivial `async fn`, in three set-ups, in one run:
//! no subscriber (disabled), `always_on` (sampled) and `always_off` (unsampled), beside what
//! a service writes by hand today for the same span: `#[instrument]` with the database
//! fields written out and the returned rows recorded, over tracing-opentelemetry with the
//! same sampler. Spans go to an SDK processor that drops them.
//!
//! With sqlx in the build, `tracing`'s `log` feature is on (sqlx turns it on), as in every
//! service that uses sqlx: both columns pay for it.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use opentelemetry_sdk::trace::Sampler;
use traced::sampling::SamplerKind;
use traced_bench::{block_on, otel_subscriber, traced_subscriber};
use tracing_subscriber::filter::LevelFilter;

const QUERY: &str = "SELECT id, total FROM orders WHERE customer_id = $1";

#[traced::traced_query(
    "SELECT id, total FROM orders WHERE customer_id = $1",
    system = "postgresql"
)]
#[inline(never)]
async fn query_traced(customer: i64) -> Result<Vec<(i64, i64)>, std::io::Error> {
    Ok(vec![(black_box(customer), 12)])
}

#[tracing::instrument(
    name = "SELECT orders",
    skip_all,
    fields(
        otel.kind = "client",
        db.system.name = "postgresql",
        db.query.text = QUERY,
        db.operation.name = "SELECT",
        db.collection.name = "orders",
        db.query.summary = "SELECT orders",
        db.response.returned_rows = tracing::field::Empty,
    )
)]
#[inline(never)]
async fn query_by_hand(customer: i64) -> Result<Vec<(i64, i64)>, std::io::Error> {
    let rows = vec![(black_box(customer), 12)];
    tracing::Span::current().record("db.response.returned_rows", rows.len() as i64);
    Ok(rows)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("attributes");
    group.bench_function("query/traced/no_subscriber", |b| {
        b.iter(|| block_on(query_traced(black_box(7))))
    });
    group.bench_function("query/by_hand/no_subscriber", |b| {
        b.iter(|| block_on(query_by_hand(black_box(7))))
    });
    for (label, sampler, kind) in [
        ("always_on", Sampler::AlwaysOn, SamplerKind::AlwaysOn),
        ("always_off", Sampler::AlwaysOff, SamplerKind::AlwaysOff),
    ] {
        tracing::subscriber::with_default(traced_subscriber(kind, LevelFilter::OFF), || {
            group.bench_function(format!("query/traced/{label}"), |b| {
                b.iter(|| block_on(query_traced(black_box(7))))
            });
        });
        tracing::subscriber::with_default(otel_subscriber(sampler), || {
            group.bench_function(format!("query/by_hand/{label}"), |b| {
                b.iter(|| block_on(query_by_hand(black_box(7))))
            });
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
