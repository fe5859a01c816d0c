//! Which `tracing` events written in a span become its span events, and which are turned off
//! where they are written because nobody would read them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use traced::TracedLayer;
use traced_tests::ExportedSpan;
use tracing::Level;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt as _;

/// Another layer of the subscriber that shows DEBUG events, as a log layer would: it counts
/// them.
struct ShowsDebug(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for ShowsDebug {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if *event.metadata().level() == Level::DEBUG {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Runs `body` in a span `work` under `configure`d layer (and `other`, if any), and returns
/// the exported span.
fn work(
    configure: impl FnOnce(TracedLayer) -> TracedLayer,
    other: Option<ShowsDebug>,
    body: impl FnOnce(),
) -> ExportedSpan {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let layer = configure(TracedLayer::new(provider.tracer("span-events")));
    let subscriber = tracing_subscriber::registry().with(layer).with(other);
    tracing::subscriber::with_default(subscriber, || {
        let _work = tracing::info_span!("work").entered();
        body();
    });
    let spans = exporter.get_finished_spans().expect("the exporter");
    let [span] = spans.as_slice() else {
        panic!("one span expected: {spans:?}");
    };
    ExportedSpan::from(span)
}

fn names(span: &ExportedSpan) -> Vec<&str> {
    span.events.iter().map(|e| e.name.as_str()).collect()
}

#[test]
fn events_of_info_and_more_severe_are_span_events_by_default() {
    let span = work(
        |layer| layer,
        None,
        || {
            tracing::error!("an error");
            tracing::warn!("a warning");
            tracing::info!("an info");
            tracing::debug!("a debug");
            tracing::trace!("a trace");
        },
    );
    assert_eq!(names(&span), ["an error", "a warning", "an info"]);
}

#[test]
fn the_event_level_is_configurable() {
    let span = work(
        |layer| layer.with_event_level(LevelFilter::DEBUG),
        None,
        || {
            tracing::info!("an info");
            tracing::debug!("a debug");
            tracing::trace!("a trace");
        },
    );
    assert_eq!(names(&span), ["an info", "a debug"]);

    let span = work(
        |layer| layer.with_event_level(LevelFilter::OFF),
        None,
        || tracing::error!("an error"),
    );
    assert_eq!(names(&span), Vec::<&str>::new());
}

/// Alone on its `Registry` (as `init!` sets it up without logs), the layer turns off the
/// events it does not record: a library's DEBUG event costs a level check.
#[test]
fn events_nobody_reads_are_turned_off_where_they_are_written() {
    let enabled = std::cell::Cell::new((false, false));
    let span = work(
        |layer| layer.skip_unsampled(LevelFilter::OFF),
        None,
        || {
            enabled.set((
                tracing::event_enabled!(Level::INFO),
                tracing::event_enabled!(Level::DEBUG),
            ));
            tracing::debug!("a debug");
            tracing::info!("an info");
        },
    );
    assert_eq!(enabled.get(), (true, false));
    assert_eq!(names(&span), ["an info"]);
}

/// An event another layer shows reaches it, whether or not the layer was told what the
/// others show, and is still not a span event.
#[test]
fn events_other_layers_show_are_never_turned_off() {
    for told in [None, Some(LevelFilter::DEBUG)] {
        let seen = Arc::new(AtomicUsize::new(0));
        let enabled = std::cell::Cell::new(false);
        let span = work(
            |layer| match told {
                Some(shown) => layer.skip_unsampled(shown),
                None => layer,
            },
            Some(ShowsDebug(seen.clone())),
            || {
                enabled.set(tracing::event_enabled!(Level::DEBUG));
                tracing::debug!("a debug");
            },
        );
        assert!(enabled.get(), "told {told:?}");
        assert_eq!(seen.load(Ordering::Relaxed), 1, "told {told:?}");
        assert_eq!(names(&span), Vec::<&str>::new(), "told {told:?}");
    }
}
