//! `traced::init!()` / `Telemetry`: each scenario runs in a child process (the subscriber and
//! the pipeline are process-wide), configured only through environment variables, against
//! a real OTLP receiver on 127.0.0.1.

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use traced_tests::{ExportedSpan, OtlpReceiver};

const SCENARIO: &str = "TRACED_TEST_SCENARIO";
const SPANS: usize = 200;

/// Runs this test binary again as a child that plays `scenario` with `vars`, and waits for
/// it (bounded).
fn run_child(scenario: &str, vars: &[(&str, String)]) -> Output {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(SCENARIO, scenario)
        .env("TRACED_LOG_FORMAT", "none")
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in vars {
        command.env(name, value);
    }
    let started = Instant::now();
    let mut child = command.spawn().unwrap();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{scenario}: the child did not exit"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{scenario} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[traced::traced(fields(index = index))]
fn work(index: usize) -> usize {
    tracing::info!(index, "working");
    tracing::debug!(index, "working in detail");
    index
}

#[traced::traced]
fn unsampled_work() {
    use opentelemetry::trace::TraceContextExt as _;
    let trace_id = traced::current_context().span().span_context().trace_id();
    println!("context-trace-id={trace_id}");
    tracing::warn!("unsampled work");
}

/// The child side: does nothing in a normal test run.
#[test]
fn child() {
    let Ok(scenario) = std::env::var(SCENARIO) else {
        return;
    };
    match scenario.as_str() {
        "multi_thread" => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let guard = traced::init!();
                let tasks: Vec<_> = (0..SPANS)
                    .map(|i| tokio::spawn(async move { work(i) }))
                    .collect();
                for task in tasks {
                    task.await.unwrap();
                }
                drop(guard); // inside the runtime, right after the spans end
            });
        }
        "current_thread" => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let _guard = traced::init!();
                for i in 0..SPANS {
                    work(i);
                    tokio::task::yield_now().await;
                }
            });
        }
        "no_runtime" => {
            let _guard = traced::init!();
            for i in 0..SPANS {
                work(i);
            }
        }
        "collector_down" => {
            let guard = traced::init!();
            let started = Instant::now();
            for i in 0..5_000 {
                work(i);
            }
            // Nothing waits for the collector: were a span to wait for the export timeout,
            // this loop would outlast the parent's patience by hours.
            let elapsed = started.elapsed();
            println!("spans-created-in-ms={}", elapsed.as_millis());
            // The queue is bounded: 50,000 more spans do not grow memory with them.
            let before = resident_kib();
            for i in 0..50_000 {
                work(i);
            }
            println!("rss-growth-kib={}", resident_kib().saturating_sub(before));
            drop(guard);
        }
        "log_correlation" => {
            let _guard = traced::init!();
            work(1);
        }
        "unsampled_log_correlation" => {
            let _guard = traced::init!();
            unsampled_work();
        }
        other => panic!("unknown scenario {other}"),
    }
}

/// The resident set size of this process.
fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

async fn receiver() -> OtlpReceiver {
    OtlpReceiver::start().await.unwrap()
}

fn assert_all_work(spans: &[ExportedSpan]) {
    let mut indexes: Vec<i64> = spans
        .iter()
        .filter(|s| s.name == "work")
        .filter_map(|s| s.i64_attr("index"))
        .collect();
    indexes.sort_unstable();
    indexes.dedup();
    assert_eq!(indexes.len(), SPANS, "every span reached the collector");
    let span = &spans[0];
    assert_eq!(
        span.resource_attr("service.name").and_then(|v| v.as_str()),
        Some("traced-tests"),
        "service.name defaults to the package name"
    );
    assert!(span.resource_attr("service.instance.id").is_some());
    assert!(
        span.resource_attr("process.pid")
            .and_then(|v| v.as_i64())
            .is_some()
    );
    // tracing events in a span are span events, from INFO up unless told otherwise.
    assert!(span.event("working").is_some());
    assert!(span.event("working in detail").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_flushes_every_span_on_every_runtime_flavour() {
    let receiver = receiver().await;
    for scenario in ["multi_thread", "current_thread", "no_runtime"] {
        let endpoint = receiver.endpoint();
        let before = receiver.spans().len();
        // A long schedule delay: only the guard's flush can deliver the spans in time.
        tokio::task::spawn_blocking({
            let scenario = scenario.to_owned();
            move || {
                run_child(
                    &scenario,
                    &[
                        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
                        ("OTEL_BSP_SCHEDULE_DELAY", "60000".into()),
                        ("RUST_LOG", "error".into()),
                    ],
                )
            }
        })
        .await
        .unwrap();
        let spans: Vec<ExportedSpan> = receiver.spans().split_off(before);
        assert_all_work(&spans);
        // RUST_LOG=error filtered every log line, and no span.
        assert_eq!(
            spans.iter().filter(|s| s.name == "work").count(),
            SPANS,
            "{scenario}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traces_endpoint_and_resource_from_the_environment() {
    let receiver = receiver().await;
    // gRPC endpoint given as the traces endpoint; resource and service name from env.
    let endpoint = receiver.endpoint();
    tokio::task::spawn_blocking(move || {
        run_child(
            "no_runtime",
            &[
                ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", endpoint),
                ("OTEL_SERVICE_NAME", "orders".into()),
                (
                    "OTEL_RESOURCE_ATTRIBUTES",
                    "deployment.environment.name=staging,team=a%20b".into(),
                ),
                ("TRACED_DEPLOYMENT_VARIANT", "canary".into()),
                ("TRACED_SPAN_EVENT_LEVEL", "debug".into()),
            ],
        )
    })
    .await
    .unwrap();
    let spans = receiver.spans();
    let span = spans.iter().find(|s| s.name == "work").unwrap();
    let resource = |key: &str| {
        span.resource_attr(key)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
    };
    assert_eq!(resource("service.name").as_deref(), Some("orders"));
    assert_eq!(
        resource("deployment.environment.name").as_deref(),
        Some("staging")
    );
    assert_eq!(resource("team").as_deref(), Some("a b"));
    assert_eq!(
        resource("traced.deployment.variant").as_deref(),
        Some("canary")
    );
    assert!(span.event("working in detail").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_that_is_down_costs_only_dropped_spans() {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let started = Instant::now();
    let output = tokio::task::spawn_blocking(move || {
        run_child(
            "collector_down",
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", format!("http://{closed}")),
                ("OTEL_EXPORTER_OTLP_TIMEOUT", "500".into()),
                ("OTEL_BSP_MAX_QUEUE_SIZE", "256".into()),
                ("OTEL_BSP_SCHEDULE_DELAY", "50".into()),
            ],
        )
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("spans-created-in-ms="), "{stdout}");
    let growth: u64 = stdout
        .lines()
        .find_map(|l| l.split("rss-growth-kib=").nth(1))
        .and_then(|v| v.trim().parse().ok())
        .expect("rss line");
    // 50,000 spans of ~1 KiB each would be ~50 MiB if they were kept.
    assert!(growth < 16 * 1024, "memory grew by {growth} KiB");
    assert!(stderr.contains("spans dropped"), "reported: {stderr}");
    assert!(
        stderr.contains("over the queue limit"),
        "queue drops counted: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The guard gives up within its bound instead of hanging on the dead collector.
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_lines_carry_the_ids_of_their_span() {
    let receiver = receiver().await;
    for format in ["json", "text"] {
        let endpoint = receiver.endpoint();
        let before = receiver.spans().len();
        let output = tokio::task::spawn_blocking(move || {
            run_child(
                "log_correlation",
                &[
                    ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
                    ("TRACED_LOG_FORMAT", format.into()),
                    ("RUST_LOG", "info".into()),
                ],
            )
        })
        .await
        .unwrap();
        let spans = receiver.spans().split_off(before);
        let span = spans.iter().find(|s| s.name == "work").unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let line = stdout
            .lines()
            .find(|l| l.contains("working"))
            .unwrap_or_else(|| panic!("no log line: {stdout}"));
        if format == "json" {
            // libtest may print its own words before the line.
            let json = &line[line.find('{').unwrap()..];
            let json: serde_json::Value = serde_json::from_str(json).unwrap();
            assert_eq!(json["trace_id"], span.trace_id.as_str());
            assert_eq!(json["span_id"], span.span_id.as_str());
            assert_eq!(json["message"], "working");
            assert_eq!(json["fields"]["index"], 1);
        } else {
            assert!(
                line.ends_with(&format!(
                    "trace_id={} span_id={}",
                    span.trace_id, span.span_id
                )),
                "{line}"
            );
        }
    }
}

/// An unsampled span that the log lines would not show (`RUST_LOG=warn`) is left out, and
/// its log lines still carry its trace; one they would show (`info`) is kept for them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_lines_of_unsampled_spans_carry_their_trace() {
    let receiver = receiver().await;
    for level in ["warn", "info"] {
        let endpoint = receiver.endpoint();
        let output = tokio::task::spawn_blocking(move || {
            run_child(
                "unsampled_log_correlation",
                &[
                    ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
                    ("OTEL_TRACES_SAMPLER", "always_off".into()),
                    ("TRACED_LOG_FORMAT", "json".into()),
                    ("RUST_LOG", level.into()),
                ],
            )
        })
        .await
        .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let trace_id = stdout
            .lines()
            .find_map(|l| l.split_once("context-trace-id=").map(|(_, id)| id.trim()))
            .unwrap_or_else(|| panic!("no trace id: {stdout}"));
        assert_ne!(trace_id, "00000000000000000000000000000000");
        let line = stdout
            .lines()
            .find(|l| l.contains("unsampled work"))
            .unwrap_or_else(|| panic!("no log line: {stdout}"));
        let json: serde_json::Value =
            serde_json::from_str(&line[line.find('{').unwrap()..]).unwrap();
        assert_eq!(json["trace_id"], trace_id, "RUST_LOG={level}: {line}");
        match level {
            "warn" => assert!(json.get("span").is_none(), "left out: {line}"),
            _ => assert_eq!(json["span"], "unsampled_work", "kept for the logs: {line}"),
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(receiver.spans().is_empty(), "nothing is sampled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_sdk_exports_nothing() {
    let receiver = receiver().await;
    let endpoint = receiver.endpoint();
    tokio::task::spawn_blocking(move || {
        run_child(
            "no_runtime",
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
                ("OTEL_SDK_DISABLED", "true".into()),
            ],
        )
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(receiver.spans().is_empty());
}

/// A minimal OTLP/HTTP (protobuf) receiver: the span names it got.
async fn http_receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use prost::Message as _;
    let names = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let app = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post({
            let names = names.clone();
            move |body: axum::body::Bytes| async move {
                let request = ExportTraceServiceRequest::decode(body).unwrap();
                for resource in &request.resource_spans {
                    for scope in &resource.scope_spans {
                        for span in &scope.spans {
                            names.lock().unwrap().push(span.name.clone());
                        }
                    }
                }
                ExportTraceServiceRequest::default().encode_to_vec()
            }
        }),
    );
    let addr = traced_tests::serve(app).await;
    (format!("http://{addr}"), names)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_protobuf_export() {
    let (base, names) = http_receiver().await;
    tokio::task::spawn_blocking(move || {
        run_child(
            "no_runtime",
            &[
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf".into()),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", base),
                ("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=abc".into()),
            ],
        )
    })
    .await
    .unwrap();
    let names = names.lock().unwrap();
    assert_eq!(names.iter().filter(|n| *n == "work").count(), SPANS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sampler_comes_from_the_environment() {
    let receiver = receiver().await;
    let endpoint = receiver.endpoint();
    tokio::task::spawn_blocking(move || {
        run_child(
            "no_runtime",
            &[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
                ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio".into()),
                ("OTEL_TRACES_SAMPLER_ARG", "0".into()),
            ],
        )
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(receiver.spans().is_empty(), "ratio 0 samples nothing");
}

#[test]
fn console_and_file_exporters_from_the_environment() {
    let dir = std::env::temp_dir().join(format!("traced-init-{}", std::process::id()));
    let file = dir.join("traces.jsonl");
    let output = run_child(
        "no_runtime",
        &[
            ("OTEL_TRACES_EXPORTER", "console,file".into()),
            ("TRACED_TRACES_FILE", file.display().to_string()),
        ],
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let waterfall_lines = stdout
        .lines()
        .filter(|l| l.starts_with("traced-tests") && l.contains("work"))
        .count();
    assert_eq!(waterfall_lines, SPANS, "{stdout}");
    let text = std::fs::read_to_string(&file).unwrap();
    let mut spans = 0;
    for line in text.lines() {
        let request: serde_json::Value = serde_json::from_str(line).unwrap();
        for resource in request["resourceSpans"].as_array().unwrap() {
            for scope in resource["scopeSpans"].as_array().unwrap() {
                spans += scope["spans"].as_array().unwrap().len();
            }
        }
    }
    assert_eq!(spans, SPANS);
    let _ = std::fs::remove_dir_all(dir);
}
