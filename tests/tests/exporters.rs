//! The console and OTLP/JSON file exporters of `traced::export`, on spans with fixed ids and
//! times, so that what the console shows can be compared character for character and what
//! the file holds field by field.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::PathBuf;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Waker};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use opentelemetry::trace::{
    Event, Span as _, SpanContext, SpanId, SpanKind, Status, TraceContextExt as _, TraceFlags,
    TraceId, TraceState, Tracer as _, TracerProvider as _,
};
use opentelemetry::{Array, Context, InstrumentationScope, KeyValue, Value};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{
    IdGenerator, InMemorySpanExporter, SdkTracerProvider, SpanData, SpanEvents, SpanExporter,
    SpanLinks,
};
use serde_json::{Value as Json, json};
use traced::export::{ConsoleExporter, OtlpJsonFileExporter};
use traced_tests::{AttrValue, ExportedSpan};

// ------------------------------------------------------------------------- fixtures

/// A writer the test keeps a handle on.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl Output {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

const TRACE_ID: u128 = 0x0af7_6519_16cd_43dd_8448_eb21_1c80_3100;
const SPAN_ID: u64 = 0xb7ad_6b71_6920_3300;

/// Ids counted up from fixed values, so that the output is the same on every run.
#[derive(Debug, Default)]
struct FixedIds {
    traces: AtomicU64,
    spans: AtomicU64,
}

impl IdGenerator for FixedIds {
    fn new_trace_id(&self) -> TraceId {
        TraceId::from(TRACE_ID + u128::from(self.traces.fetch_add(1, Ordering::SeqCst)))
    }

    fn new_span_id(&self) -> SpanId {
        SpanId::from(SPAN_ID + 1 + self.spans.fetch_add(1, Ordering::SeqCst))
    }
}

/// `ms` milliseconds into the fixed trace.
fn at(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000) + Duration::from_millis(ms)
}

fn provider(exporter: impl SpanExporter + 'static) -> SdkTracerProvider {
    SdkTracerProvider::builder()
        .with_id_generator(FixedIds::default())
        .with_resource(
            Resource::builder_empty()
                .with_service_name("checkout")
                .build(),
        )
        .with_simple_exporter(exporter)
        .build()
}

/// A checkout request: a SERVER root with a nested child, a failed CLIENT call with an
/// exception event and typed attributes, and an instant PRODUCER span.
///
/// ```text
/// GET /checkout          0 ──────────── 120 ms
///   load cart              2 ── 22
///     SELECT carts           5 ─ 10
///   POST /charge                30 ─────── 110   (Error)
///   send receipt                              112
/// ```
fn record_checkout(provider: &SdkTracerProvider) {
    let tracer = provider.tracer("checkout");
    let root = tracer
        .span_builder("GET /checkout")
        .with_kind(SpanKind::Server)
        .with_start_time(at(0))
        .with_attributes([
            KeyValue::new("http.request.method", "GET"),
            KeyValue::new("http.response.status_code", 200_i64),
        ])
        .start(&tracer);
    let root = Context::new().with_span(root);

    let cart = tracer
        .span_builder("load cart")
        .with_start_time(at(2))
        .start_with_context(&tracer, &root);
    let cart = root.with_span(cart);
    let mut select = tracer
        .span_builder("SELECT carts")
        .with_kind(SpanKind::Client)
        .with_start_time(at(5))
        .with_attributes([
            KeyValue::new("db.system.name", "postgresql"),
            KeyValue::new("db.response.returned_rows", 3_i64),
        ])
        .start_with_context(&tracer, &cart);
    select.end_with_timestamp(at(10));
    cart.span().end_with_timestamp(at(22));

    let mut charge = tracer
        .span_builder("POST /charge")
        .with_kind(SpanKind::Client)
        .with_start_time(at(30))
        .with_attributes([
            KeyValue::new("http.response.status_code", 503_i64),
            KeyValue::new("error.type", "503"),
            KeyValue::new("retried", true),
            KeyValue::new("amount", 12.5),
            KeyValue::new(
                "cart.tags",
                Value::Array(Array::String(vec!["blue".into(), "large".into()])),
            ),
        ])
        .start_with_context(&tracer, &root);
    charge.add_event_with_timestamp(
        "exception",
        at(109),
        vec![
            KeyValue::new("exception.type", "ChargeError"),
            KeyValue::new("exception.message", "card service unavailable"),
        ],
    );
    charge.set_status(Status::error("card service unavailable"));
    charge.end_with_timestamp(at(110));

    let mut receipt = tracer
        .span_builder("send receipt")
        .with_kind(SpanKind::Producer)
        .with_start_time(at(112))
        .start_with_context(&tracer, &root);
    receipt.end_with_timestamp(at(112));

    root.span().end_with_timestamp(at(120));
}

/// Drives an exporter's future: both exporters finish before returning it.
fn run<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut TaskContext::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the exporters finish synchronously"),
    }
}

/// A finished span of trace `trace`, made by hand to be as odd as a test needs.
fn span_data(
    trace: u128,
    id: u64,
    parent: u64,
    name: &str,
    start: SystemTime,
    end: SystemTime,
) -> SpanData {
    SpanData {
        span_context: SpanContext::new(
            TraceId::from(trace),
            SpanId::from(id),
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        ),
        parent_span_id: SpanId::from(parent),
        parent_span_is_remote: false,
        span_kind: SpanKind::Internal,
        name: Cow::Owned(name.to_owned()),
        start_time: start,
        end_time: end,
        attributes: Vec::new(),
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status: Status::Unset,
        instrumentation_scope: InstrumentationScope::builder("odd").build(),
    }
}

fn temp_path(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("traced-exporters-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("nested").join("traces.jsonl")
}

// -------------------------------------------------------------------------- console

const CHECKOUT_WATERFALL: &str = "\
trace 0af7651916cd43dd8448eb211c803100 · 5 spans · 120.0ms · 1 error
checkout  GET /checkout       server     120.0ms  [████████████████████████████████████████]
checkout  ├─ load cart        internal    20.0ms  [████████                                ]
checkout  │  └─ SELECT carts  client       5.0ms  [ ███                                    ]
checkout  ├─ POST /charge     client      80.0ms  [          ███████████████████████████   ]  ✗ 503: card service unavailable
checkout  └─ send receipt     producer       0ns  [                                     █  ]

";

#[test]
fn console_prints_the_trace_as_a_waterfall_when_its_root_ends() {
    let output = Output::default();
    let provider = provider(ConsoleExporter::with_writer(output.clone()));
    record_checkout(&provider);
    // Printed when the root ended, not at shutdown.
    assert_eq!(output.text(), CHECKOUT_WATERFALL);
    provider.shutdown().unwrap();
    assert_eq!(output.text(), CHECKOUT_WATERFALL);
}

#[test]
fn console_colours_only_when_asked() {
    let output = Output::default();
    let provider = provider(ConsoleExporter::with_writer(output.clone()).with_color(true));
    record_checkout(&provider);
    provider.shutdown().unwrap();
    let text = output.text();
    assert!(
        text.contains("\x1b[1mtrace 0af7651916cd43dd8448eb211c803100"),
        "{text}"
    );
    assert!(text.contains("\x1b[31m├─ POST /charge\x1b[0m"), "{text}");
    assert!(
        text.contains("\x1b[31m✗ 503: card service unavailable\x1b[0m"),
        "{text}"
    );
    assert!(
        text.contains(&format!("[\x1b[34m{}\x1b[0m]", "█".repeat(40))),
        "{text}"
    );
    // Without the codes, the same picture.
    let plain = strip_ansi(&text);
    assert_eq!(plain, CHECKOUT_WATERFALL);
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn console_prints_a_span_that_outlives_its_root_on_the_same_timeline() {
    let output = Output::default();
    let provider = provider(ConsoleExporter::with_writer(output.clone()));
    let tracer = provider.tracer("checkout");
    let root = tracer
        .span_builder("POST /orders")
        .with_kind(SpanKind::Server)
        .with_start_time(at(0))
        .start(&tracer);
    let root = Context::new().with_span(root);
    let mut task = tracer
        .span_builder("send email")
        .with_start_time(at(50))
        .start_with_context(&tracer, &root);
    root.span().end_with_timestamp(at(100));
    task.end_with_timestamp(at(200));
    provider.shutdown().unwrap();
    assert_eq!(
        output.text(),
        "\
trace 0af7651916cd43dd8448eb211c803100 · 1 span · 100.0ms
checkout  POST /orders  server     100.0ms  [████████████████████████████████████████]

trace 0af7651916cd43dd8448eb211c803100 · 1 more span, ended after the rest
checkout  … send email  internal   150.0ms  [          ██████████████████████████████]

"
    );
}

#[test]
fn console_treats_a_span_with_a_remote_parent_as_the_root() {
    let output = Output::default();
    let provider = provider(ConsoleExporter::with_writer(output.clone()));
    let tracer = provider.tracer("checkout");
    let caller = SpanContext::new(
        TraceId::from(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736),
        SpanId::from(0x00f0_67aa_0ba9_02b7),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    );
    let mut server = tracer
        .span_builder("GET /health")
        .with_kind(SpanKind::Server)
        .with_start_time(at(0))
        .start_with_context(&tracer, &Context::new().with_remote_span_context(caller));
    server.end_with_timestamp(at(1));
    // Held for a moment (the remote parent might be a span of this process), then printed
    // as a whole trace, without the mark of a missing parent.
    assert_eq!(output.text(), "");
    provider.shutdown().unwrap();
    assert_eq!(
        output.text(),
        "\
trace 4bf92f3577b34da6a3ce929d0e0e4736 · 1 span · 1.0ms
checkout  GET /health  server       1.0ms  [████████████████████████████████████████]

"
    );
}

#[test]
fn console_flush_prints_traces_whose_root_has_not_ended() {
    let output = Output::default();
    let exporter = ConsoleExporter::with_writer(output.clone());
    run(exporter.export(vec![span_data(7, 2, 1, "child", at(0), at(5))])).unwrap();
    assert_eq!(output.text(), "");
    exporter.force_flush().unwrap();
    assert_eq!(
        output.text(),
        "\
trace 00000000000000000000000000000007 · 1 span · 5.0ms · root not ended yet
unknown_service  … child  internal     5.0ms  [████████████████████████████████████████]

"
    );
    exporter.shutdown().unwrap();
    assert!(run(exporter.export(vec![span_data(7, 3, 1, "late", at(0), at(5))])).is_err());
}

#[test]
fn console_memory_is_bounded_and_drops_are_counted() {
    let output = Output::default();
    let exporter = ConsoleExporter::with_writer(output.clone()).with_max_pending_spans(100);
    // 250 traces whose roots never end, one span each.
    for trace in 1..=250 {
        run(exporter.export(vec![span_data(trace, 2, 1, "orphan", at(0), at(1))])).unwrap();
    }
    exporter.force_flush().unwrap();
    let text = output.text();
    assert!(
        text.starts_with(
            "traced: 150 spans of unfinished traces dropped (too many waiting for their root span)\n"
        ),
        "{text}"
    );
    assert_eq!(text.matches("root not ended yet").count(), 100);
    // The newest were kept.
    assert!(text.contains(&format!("trace {}", TraceId::from(250_u128))));
    assert!(!text.contains(&format!("trace {} ", TraceId::from(150_u128))));
}

#[test]
fn console_prints_ten_thousand_nested_spans() {
    let output = Output::default();
    let exporter = ConsoleExporter::with_writer(output.clone());
    // A chain 10,000 deep, in one batch, the root first.
    let batch: Vec<SpanData> = (1..=10_000_u64)
        .map(|id| {
            span_data(
                1,
                id,
                id - 1,
                &format!("level {id}"),
                at(id),
                at(20_000 - id),
            )
        })
        .collect();
    let started = Instant::now();
    run(exporter.export(batch)).unwrap();
    let text = output.text();
    assert_eq!(text.lines().count(), 1 + 10_000 + 1);
    assert!(text.lines().all(|line| line.chars().count() < 200));
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn console_prints_ten_thousand_spans_exported_one_by_one() {
    let output = Output::default();
    let provider = provider(ConsoleExporter::with_writer(output.clone()));
    let tracer = provider.tracer("load");
    let root = tracer
        .span_builder("batch job")
        .with_start_time(at(0))
        .start(&tracer);
    let root = Context::new().with_span(root);
    let started = Instant::now();
    for i in 0..9_999 {
        let mut item = tracer
            .span_builder("item")
            .with_start_time(at(i))
            .start_with_context(&tracer, &root);
        item.end_with_timestamp(at(i + 1));
    }
    assert_eq!(output.text(), "", "nothing before the root ends");
    root.span().end_with_timestamp(at(10_000));
    let text = output.text();
    assert_eq!(text.lines().count(), 1 + 10_000 + 1);
    assert!(text.starts_with("trace 0af7651916cd43dd8448eb211c803100 · 10000 spans · 10.00s\n"));
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn console_never_panics_on_odd_span_data() {
    let output = Output::default();
    let exporter = ConsoleExporter::with_writer(output.clone());
    let before_epoch = UNIX_EPOCH - Duration::from_secs(10);
    let far_future = UNIX_EPOCH + Duration::from_secs(10_000_000_000);
    let mut remote_root = span_data(9, 1, 0xdead, "remote root", at(0), at(10));
    remote_root.parent_span_is_remote = true;
    let mut failed = span_data(9, 20, 1, "failed without a word", at(1), at(2));
    failed.status = Status::error("");
    let mut multiline = span_data(9, 21, 1, "fails", at(1), at(2));
    multiline.status = Status::error("line one\nline two\x1b[2J");
    let batch = vec![
        remote_root,
        span_data(9, 2, 1, "ends before it starts", at(5), at(3)),
        span_data(9, 3, 1, "zero", at(4), at(4)),
        span_data(9, 4, 1, "before the epoch", before_epoch, before_epoch),
        span_data(9, 5, 1, "far future", at(1), far_future),
        span_data(9, 6, 6, "its own parent", at(1), at(2)),
        span_data(9, 7, 8, "cycle a", at(1), at(2)),
        span_data(9, 8, 7, "cycle b", at(1), at(2)),
        span_data(9, 10, 1, "duplicate id", at(1), at(2)),
        span_data(9, 10, 1, "duplicate id", at(1), at(2)),
        span_data(9, 11, 10, "child of a duplicate", at(1), at(2)),
        span_data(9, 12, 0xbeef, "missing parent", at(1), at(2)),
        span_data(9, 13, 1, "", at(1), at(2)),
        span_data(9, 14, 1, "\x1b[31mred\x1b[0m\nnext line\t", at(1), at(2)),
        span_data(9, 15, 1, &"long ".repeat(2_000), at(1), at(2)),
        span_data(9, 16, 1, "ünïcødé 名前 🚀", at(1), at(2)),
        failed,
        multiline,
    ];
    let spans = batch.len();
    run(exporter.export(batch)).unwrap();
    // A trace with no span ids in common with anything, all zero.
    run(exporter.export(vec![span_data(0, 0, 0, "all zero", UNIX_EPOCH, UNIX_EPOCH)])).unwrap();
    exporter.shutdown().unwrap();

    let text = output.text();
    let chunks: Vec<&str> = text.split("\n\n").collect();
    let nine = chunks
        .iter()
        .find(|c| c.starts_with("trace 00000000000000000000000000000009"))
        .expect("trace 9 printed");
    assert_eq!(nine.lines().count(), 1 + spans, "{text}");
    assert!(
        !text.contains('\x1b'),
        "control characters are escaped: {text}"
    );
    assert!(
        text.contains("\\u{1b}[31mred\\u{1b}[0m\\nnext line\\t"),
        "{text}"
    );
    assert!(text.contains("✗ error"), "{text}");
    assert!(text.contains("✗ line one\\nline two\\u{1b}[2J"), "{text}");
    assert!(text.contains("… missing parent"), "{text}");
    assert!(!text.contains("… remote root"), "{text}");
    assert!(text.contains("all zero"), "{text}");
    assert!(
        text.lines().all(|line| line.chars().count() < 300),
        "{text}"
    );
}

#[test]
fn console_exporter_reports_a_broken_writer() {
    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let exporter = ConsoleExporter::with_writer(Broken);
    let result = run(exporter.export(vec![span_data(1, 1, 0, "root", at(0), at(1))]));
    assert!(result.is_err());
}

// --------------------------------------------------------------------- OTLP/JSON file

/// Every span of every line, as JSON.
fn json_spans(lines: &[Json]) -> Vec<Json> {
    lines
        .iter()
        .flat_map(|line| line["resourceSpans"].as_array().unwrap().clone())
        .flat_map(|rs| rs["scopeSpans"].as_array().unwrap().clone())
        .flat_map(|ss| ss["spans"].as_array().unwrap().clone())
        .collect()
}

fn named<'a>(spans: &'a [Json], name: &str) -> &'a Json {
    spans
        .iter()
        .find(|span| span["name"] == name)
        .unwrap_or_else(|| panic!("no span named {name}"))
}

/// OTLP/JSON names fields in lowerCamelCase: no `snake_case` key anywhere.
fn assert_camel_case(json: &Json) {
    match json {
        Json::Object(map) => {
            for (key, value) in map {
                assert!(
                    key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                        && key.chars().all(|c| c.is_ascii_alphanumeric()),
                    "key {key:?} is not lowerCamelCase"
                );
                assert_camel_case(value);
            }
        }
        Json::Array(items) => items.iter().for_each(assert_camel_case),
        _ => {}
    }
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

#[test]
fn file_holds_one_otlp_json_request_per_export() {
    let path = temp_path("requests");
    let memory = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_id_generator(FixedIds::default())
        .with_resource(
            Resource::builder_empty()
                .with_service_name("checkout")
                .build(),
        )
        .with_simple_exporter(OtlpJsonFileExporter::create(&path).unwrap())
        .with_simple_exporter(memory.clone())
        .build();
    record_checkout(&provider);
    // Before shutdown, which empties the in-memory exporter.
    let handed_over = memory.get_finished_spans().unwrap();
    provider.shutdown().unwrap();

    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.ends_with('\n'));
    let lines: Vec<Json> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    // The simple processor exports each span as it ends.
    assert_eq!(lines.len(), 5);
    for line in &lines {
        assert_camel_case(line);
        let resource_spans = line["resourceSpans"].as_array().unwrap();
        assert_eq!(resource_spans.len(), 1);
        assert_eq!(
            resource_spans[0]["resource"]["attributes"],
            json!([{ "key": "service.name", "value": { "stringValue": "checkout" } }])
        );
        assert_eq!(
            resource_spans[0]["scopeSpans"][0]["scope"]["name"],
            "checkout"
        );
    }
    let spans = json_spans(&lines);
    for span in &spans {
        assert!(is_hex(span["traceId"].as_str().unwrap(), 32), "{span}");
        assert!(is_hex(span["spanId"].as_str().unwrap(), 16), "{span}");
        // Sampled, and the "is the parent remote" bit known.
        assert_eq!(span["flags"], 0x101);
    }

    let root = named(&spans, "GET /checkout");
    assert_eq!(root["traceId"], "0af7651916cd43dd8448eb211c803100");
    assert_eq!(root["spanId"], "b7ad6b7169203301");
    assert_eq!(root["parentSpanId"], "");
    assert_eq!(root["kind"], 2);
    assert_eq!(root["startTimeUnixNano"], "1700000000000000000");
    assert_eq!(root["endTimeUnixNano"], "1700000000120000000");
    assert_eq!(
        root["attributes"],
        json!([
            { "key": "http.request.method", "value": { "stringValue": "GET" } },
            { "key": "http.response.status_code", "value": { "intValue": "200" } },
        ])
    );
    assert_eq!(root["status"]["code"], 0);

    let cart = named(&spans, "load cart");
    assert_eq!(cart["parentSpanId"], "b7ad6b7169203301");
    assert_eq!(cart["kind"], 1);
    let select = named(&spans, "SELECT carts");
    assert_eq!(select["parentSpanId"], cart["spanId"]);
    assert_eq!(select["kind"], 3);
    assert_eq!(
        select["attributes"][1],
        json!({ "key": "db.response.returned_rows", "value": { "intValue": "3" } })
    );
    assert_eq!(named(&spans, "send receipt")["kind"], 4);

    let charge = named(&spans, "POST /charge");
    assert_eq!(charge["kind"], 3);
    assert_eq!(
        charge["attributes"],
        json!([
            { "key": "http.response.status_code", "value": { "intValue": "503" } },
            { "key": "error.type", "value": { "stringValue": "503" } },
            { "key": "retried", "value": { "boolValue": true } },
            { "key": "amount", "value": { "doubleValue": 12.5 } },
            { "key": "cart.tags", "value": { "arrayValue": { "values": [
                { "stringValue": "blue" }, { "stringValue": "large" },
            ] } } },
        ])
    );
    assert_eq!(
        charge["status"],
        json!({ "code": 2, "message": "card service unavailable" })
    );
    assert_eq!(charge["events"].as_array().unwrap().len(), 1);
    let event = &charge["events"][0];
    assert_eq!(event["name"], "exception");
    assert_eq!(event["timeUnixNano"], "1700000000109000000");
    assert_eq!(
        event["attributes"],
        json!([
            { "key": "exception.type", "value": { "stringValue": "ChargeError" } },
            { "key": "exception.message", "value": { "stringValue": "card service unavailable" } },
        ])
    );

    // Read back with opentelemetry-proto's own OTLP/JSON deserializer, the spans are the
    // ones the SDK handed over.
    let from_wire: Vec<ExportedSpan> = text
        .lines()
        .flat_map(|line| {
            let request: ExportTraceServiceRequest = serde_json::from_str(line).unwrap();
            ExportedSpan::from_export_request(&request)
        })
        .collect();
    let from_sdk: Vec<ExportedSpan> = handed_over
        .iter()
        .map(|span| ExportedSpan {
            resource: vec![(
                "service.name".to_owned(),
                AttrValue::Str("checkout".to_owned()),
            )],
            ..ExportedSpan::from(span)
        })
        .collect();
    assert_eq!(from_wire, from_sdk);
}

#[test]
fn file_groups_a_batch_by_scope_and_appends_across_runs() {
    let path = temp_path("batch");
    let batch = || {
        let mut a1 = span_data(TRACE_ID, 1, 0, "a1", at(0), at(10));
        let mut b1 = span_data(TRACE_ID, 2, 1, "b1", at(1), at(2));
        let mut a2 = span_data(TRACE_ID, 3, 1, "a2", at(3), at(4));
        a1.instrumentation_scope = InstrumentationScope::builder("a")
            .with_version("1.0")
            .build();
        a2.instrumentation_scope = a1.instrumentation_scope.clone();
        b1.instrumentation_scope = InstrumentationScope::builder("b").build();
        vec![b1, a2, a1]
    };
    for _run in 0..2 {
        let mut exporter = OtlpJsonFileExporter::create(&path).unwrap();
        exporter.set_resource(
            &Resource::builder_empty()
                .with_service_name("batcher")
                .with_attribute(KeyValue::new("service.instance.id", "i-1"))
                .build(),
        );
        run(exporter.export(batch())).unwrap();
        run(exporter.export(Vec::new())).unwrap();
        exporter.shutdown().unwrap();
        assert!(
            run(exporter.export(batch())).is_err(),
            "exports after shutdown fail"
        );
    }
    let text = std::fs::read_to_string(&path).unwrap();
    // One line per non-empty export, appended by the second run.
    assert_eq!(text.lines().count(), 2);
    for line in text.lines() {
        let json: Json = serde_json::from_str(line).unwrap();
        let resource_spans = json["resourceSpans"].as_array().unwrap();
        assert_eq!(resource_spans.len(), 1);
        let mut attributes = resource_spans[0]["resource"]["attributes"]
            .as_array()
            .unwrap()
            .clone();
        attributes.sort_by_key(|kv| kv["key"].as_str().unwrap().to_owned());
        assert_eq!(
            attributes,
            [
                json!({ "key": "service.instance.id", "value": { "stringValue": "i-1" } }),
                json!({ "key": "service.name", "value": { "stringValue": "batcher" } }),
            ]
        );
        let scopes: Vec<(String, Vec<String>)> = resource_spans[0]["scopeSpans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|ss| {
                let name = format!(
                    "{}@{}",
                    ss["scope"]["name"].as_str().unwrap(),
                    ss["scope"]["version"].as_str().unwrap()
                );
                let spans = ss["spans"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["name"].as_str().unwrap().to_owned())
                    .collect();
                (name, spans)
            })
            .collect();
        assert_eq!(
            scopes,
            [
                ("b@".to_owned(), vec!["b1".to_owned()]),
                ("a@1.0".to_owned(), vec!["a2".to_owned(), "a1".to_owned()]),
            ]
        );
    }
}

#[test]
fn file_spells_non_finite_doubles_as_proto3_json_does() {
    let output = Output::default();
    let exporter = OtlpJsonFileExporter::with_writer(output.clone());
    let mut span = span_data(1, 1, 0, "measure", at(0), at(1));
    span.attributes = vec![
        KeyValue::new("nan", f64::NAN),
        KeyValue::new("up", f64::INFINITY),
        KeyValue::new("down", f64::NEG_INFINITY),
        KeyValue::new("fine", 0.25),
        KeyValue::new(
            "list",
            Value::Array(Array::F64(vec![1.5, f64::NAN, f64::INFINITY])),
        ),
    ];
    span.events = SpanEvents::default();
    span.events.events.push(Event::new(
        "sample",
        at(0),
        vec![KeyValue::new("ratio", f64::NEG_INFINITY)],
        0,
    ));
    run(exporter.export(vec![span])).unwrap();

    let text = output.text();
    assert_eq!(text.lines().count(), 1);
    let json: Json = serde_json::from_str(&text).unwrap();
    let span = &json_spans(&[json])[0];
    assert_eq!(
        span["attributes"],
        json!([
            { "key": "nan", "value": { "doubleValue": "NaN" } },
            { "key": "up", "value": { "doubleValue": "Infinity" } },
            { "key": "down", "value": { "doubleValue": "-Infinity" } },
            { "key": "fine", "value": { "doubleValue": 0.25 } },
            { "key": "list", "value": { "arrayValue": { "values": [
                { "doubleValue": 1.5 }, { "doubleValue": "NaN" }, { "doubleValue": "Infinity" },
            ] } } },
        ])
    );
    assert_eq!(
        span["events"][0]["attributes"][0]["value"],
        json!({ "doubleValue": "-Infinity" })
    );
}

#[test]
fn file_exporter_reports_a_path_it_cannot_create() {
    let path = temp_path("blocked");
    let parent = path.parent().unwrap();
    std::fs::create_dir_all(parent.parent().unwrap()).unwrap();
    // A file where the directory should be.
    std::fs::write(parent, b"").unwrap();
    assert!(OtlpJsonFileExporter::create(&path).is_err());
}
