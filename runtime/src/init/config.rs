//! The OpenTelemetry environment variables, read as the specification says: every value
//! checked, an invalid one reported with the variable's name and replaced by the
//! documented default, never a panic.

use std::fmt;
use std::time::Duration;

/// Where spans go (`OTEL_TRACES_EXPORTER`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExporterKind {
    /// OTLP to a collector (the default).
    Otlp,
    /// The console waterfall, on stdout.
    Console,
    /// OTLP/JSON lines in a file (`TRACED_TRACES_FILE`, default `traces.jsonl`).
    File,
}

/// The OTLP transport (`OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtlpProtocol {
    /// OTLP/gRPC (default port 4317).
    Grpc,
    /// OTLP/HTTP with protobuf bodies (default port 4318, path `/v1/traces`).
    HttpProtobuf,
}

pub use crate::sampling::SamplerKind;

/// What the environment configures. Built by [`Config::from_env`]; each field can be
/// overridden through [`crate::Telemetry`]'s builder.
#[derive(Debug, Clone)]
pub struct Config {
    /// `OTEL_SDK_DISABLED=true`: no pipeline at all.
    pub sdk_disabled: bool,
    /// `OTEL_SERVICE_NAME`.
    pub service_name: Option<String>,
    /// `OTEL_RESOURCE_ATTRIBUTES`, percent-decoded, in order.
    pub resource_attributes: Vec<(String, String)>,
    /// `OTEL_TRACES_EXPORTER` (several, comma-separated; `none` for none).
    pub exporters: Vec<ExporterKind>,
    /// The OTLP endpoint: the traces-specific variable as given, or the generic one with
    /// `/v1/traces` appended for HTTP.
    pub otlp_endpoint: Option<String>,
    /// The OTLP transport.
    pub otlp_protocol: OtlpProtocol,
    /// `OTEL_EXPORTER_OTLP_[TRACES_]HEADERS`, percent-decoded.
    pub otlp_headers: Vec<(String, String)>,
    /// `OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT` (milliseconds; default 10 s).
    pub otlp_timeout: Duration,
    /// `OTEL_EXPORTER_OTLP_[TRACES_]COMPRESSION=gzip`.
    pub otlp_gzip: bool,
    /// The sampler.
    pub sampler: SamplerKind,
    /// `OTEL_PROPAGATORS` (default `tracecontext,baggage`).
    pub propagators: String,
    /// `OTEL_BSP_SCHEDULE_DELAY` (milliseconds; default 5 s).
    pub bsp_schedule_delay: Duration,
    /// `OTEL_BSP_EXPORT_TIMEOUT` (milliseconds; default 30 s).
    pub bsp_export_timeout: Duration,
    /// `OTEL_BSP_MAX_QUEUE_SIZE` (default 2048).
    pub bsp_max_queue_size: usize,
    /// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` (default 512, at most the queue size).
    pub bsp_max_export_batch_size: usize,
    /// `TRACED_TRACES_FILE`: the file of the `file` exporter.
    pub traces_file: String,
    /// `TRACED_SPAN_EVENT_LEVEL` (`off`, `error`, `warn`, `info`, `debug`, `trace`; default
    /// `info`): the most verbose `tracing` events recorded as span events
    /// (see [`TracedLayer::with_event_level`](crate::TracedLayer::with_event_level)).
    pub span_event_level: tracing_core::LevelFilter,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            sdk_disabled: false,
            service_name: None,
            resource_attributes: Vec::new(),
            exporters: vec![ExporterKind::Otlp],
            otlp_endpoint: None,
            otlp_protocol: OtlpProtocol::Grpc,
            otlp_headers: Vec::new(),
            otlp_timeout: Duration::from_secs(10),
            otlp_gzip: false,
            sampler: SamplerKind::ParentBasedAlwaysOn,
            propagators: "tracecontext,baggage".to_owned(),
            bsp_schedule_delay: Duration::from_millis(5_000),
            bsp_export_timeout: Duration::from_millis(30_000),
            bsp_max_queue_size: 2_048,
            bsp_max_export_batch_size: 512,
            traces_file: "traces.jsonl".to_owned(),
            span_event_level: tracing_core::LevelFilter::INFO,
        }
    }
}

/// An environment variable whose value could not be used; the default was used instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    variable: &'static str,
    value: String,
    reason: String,
}

impl ConfigError {
    fn new(variable: &'static str, value: &str, reason: impl Into<String>) -> Self {
        Self {
            variable,
            value: value.to_owned(),
            reason: reason.into(),
        }
    }

    /// The variable.
    pub fn variable(&self) -> &str {
        self.variable
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={:?}: {}", self.variable, self.value, self.reason)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads the process environment. Invalid values are replaced by their defaults and
    /// reported in the second element.
    pub fn from_env() -> (Self, Vec<ConfigError>) {
        Self::from_source(|name| std::env::var(name).ok())
    }

    /// Reads variables through `get` (a map in tests).
    pub fn from_source(get: impl Fn(&str) -> Option<String>) -> (Self, Vec<ConfigError>) {
        let mut errors = Vec::new();
        let mut config = Config::default();
        // Empty values count as unset, as the specification asks.
        let var = |name: &str| {
            get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        if let Some(value) = var("OTEL_SDK_DISABLED") {
            match value.to_ascii_lowercase().as_str() {
                "true" => config.sdk_disabled = true,
                "false" => {}
                _ => errors.push(ConfigError::new(
                    "OTEL_SDK_DISABLED",
                    &value,
                    "expected `true` or `false`; the SDK stays enabled",
                )),
            }
        }
        config.service_name = var("OTEL_SERVICE_NAME");
        if let Some(value) = var("OTEL_RESOURCE_ATTRIBUTES") {
            match parse_pairs(&value) {
                Ok(pairs) => config.resource_attributes = pairs,
                Err(reason) => {
                    errors.push(ConfigError::new("OTEL_RESOURCE_ATTRIBUTES", &value, reason));
                }
            }
        }
        if let Some(value) = var("OTEL_TRACES_EXPORTER") {
            let mut exporters = Vec::new();
            let mut bad = None;
            for name in value.split(',').map(|n| n.trim().to_ascii_lowercase()) {
                match name.as_str() {
                    "otlp" => exporters.push(ExporterKind::Otlp),
                    "console" | "logging" => exporters.push(ExporterKind::Console),
                    "file" | "otlp_file" => exporters.push(ExporterKind::File),
                    "none" => {}
                    "" => {}
                    other => bad = Some(other.to_owned()),
                }
            }
            match bad {
                Some(name) => errors.push(ConfigError::new(
                    "OTEL_TRACES_EXPORTER",
                    &value,
                    format!(
                        "unknown exporter `{name}` (known: otlp, console, file, none); using otlp"
                    ),
                )),
                None => {
                    exporters.dedup();
                    config.exporters = exporters;
                }
            }
        }
        let otlp = |generic: &'static str, traces: &'static str| {
            var(traces)
                .map(|v| (traces, v))
                .or_else(|| var(generic).map(|v| (generic, v)))
        };
        if let Some((name, value)) = otlp(
            "OTEL_EXPORTER_OTLP_PROTOCOL",
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        ) {
            match value.as_str() {
                "grpc" => config.otlp_protocol = OtlpProtocol::Grpc,
                "http/protobuf" => config.otlp_protocol = OtlpProtocol::HttpProtobuf,
                _ => errors.push(ConfigError::new(
                    name,
                    &value,
                    "expected `grpc` or `http/protobuf` (`http/json` is not supported); using grpc",
                )),
            }
        }
        if let Some(value) = var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            match check_url(&value) {
                Ok(()) => config.otlp_endpoint = Some(value),
                Err(reason) => errors.push(ConfigError::new(
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                    &value,
                    reason,
                )),
            }
        } else if let Some(value) = var("OTEL_EXPORTER_OTLP_ENDPOINT") {
            match check_url(&value) {
                // The generic endpoint is a base URL: HTTP appends the signal's path.
                Ok(()) => {
                    config.otlp_endpoint = Some(match config.otlp_protocol {
                        OtlpProtocol::HttpProtobuf => {
                            format!("{}/v1/traces", value.trim_end_matches('/'))
                        }
                        OtlpProtocol::Grpc => value,
                    });
                }
                Err(reason) => {
                    errors.push(ConfigError::new(
                        "OTEL_EXPORTER_OTLP_ENDPOINT",
                        &value,
                        reason,
                    ));
                }
            }
        }
        if let Some((name, value)) = otlp(
            "OTEL_EXPORTER_OTLP_HEADERS",
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        ) {
            match parse_pairs(&value) {
                Ok(pairs) => config.otlp_headers = pairs,
                Err(reason) => errors.push(ConfigError::new(name, &value, reason)),
            }
        }
        if let Some((name, value)) = otlp(
            "OTEL_EXPORTER_OTLP_TIMEOUT",
            "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
        ) {
            match millis(&value) {
                Some(timeout) => config.otlp_timeout = timeout,
                None => errors.push(ConfigError::new(
                    name,
                    &value,
                    "expected a number of milliseconds; using 10000",
                )),
            }
        }
        if let Some((name, value)) = otlp(
            "OTEL_EXPORTER_OTLP_COMPRESSION",
            "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION",
        ) {
            match value.as_str() {
                "gzip" => config.otlp_gzip = true,
                "none" => config.otlp_gzip = false,
                _ => errors.push(ConfigError::new(
                    name,
                    &value,
                    "expected `gzip` or `none`; using none",
                )),
            }
        }

        let ratio = match var("OTEL_TRACES_SAMPLER_ARG") {
            None => 1.0,
            Some(value) => match value.parse::<f64>() {
                Ok(ratio) if (0.0..=1.0).contains(&ratio) => ratio,
                _ => {
                    errors.push(ConfigError::new(
                        "OTEL_TRACES_SAMPLER_ARG",
                        &value,
                        "expected a ratio between 0 and 1; using 1.0",
                    ));
                    1.0
                }
            },
        };
        if let Some(value) = var("OTEL_TRACES_SAMPLER") {
            config.sampler = match value.to_ascii_lowercase().as_str() {
                "always_on" => SamplerKind::AlwaysOn,
                "always_off" => SamplerKind::AlwaysOff,
                "traceidratio" => SamplerKind::TraceIdRatio(ratio),
                "parentbased_always_on" => SamplerKind::ParentBasedAlwaysOn,
                "parentbased_always_off" => SamplerKind::ParentBasedAlwaysOff,
                "parentbased_traceidratio" => SamplerKind::ParentBasedTraceIdRatio(ratio),
                _ => {
                    errors.push(ConfigError::new(
                        "OTEL_TRACES_SAMPLER",
                        &value,
                        "unknown sampler (known: always_on, always_off, traceidratio, \
                         parentbased_always_on, parentbased_always_off, \
                         parentbased_traceidratio); using parentbased_always_on",
                    ));
                    SamplerKind::ParentBasedAlwaysOn
                }
            };
        }
        if let Some(value) = var("OTEL_PROPAGATORS") {
            match crate::propagation::from_env_value(&value) {
                Ok(_) => config.propagators = value,
                Err(error) => errors.push(ConfigError::new(
                    "OTEL_PROPAGATORS",
                    &value,
                    format!("{error}; using tracecontext,baggage"),
                )),
            }
        }
        let mut duration = |name: &'static str, slot: &mut Duration| {
            if let Some(value) = var(name) {
                match millis(&value) {
                    Some(d) => *slot = d,
                    None => errors.push(ConfigError::new(
                        name,
                        &value,
                        format!(
                            "expected a number of milliseconds; using {}",
                            slot.as_millis()
                        ),
                    )),
                }
            }
        };
        duration("OTEL_BSP_SCHEDULE_DELAY", &mut config.bsp_schedule_delay);
        duration("OTEL_BSP_EXPORT_TIMEOUT", &mut config.bsp_export_timeout);
        let mut size = |name: &'static str, slot: &mut usize| {
            if let Some(value) = var(name) {
                match value.parse::<usize>() {
                    Ok(n) if n > 0 => *slot = n,
                    _ => errors.push(ConfigError::new(
                        name,
                        &value,
                        format!("expected a positive integer; using {slot}"),
                    )),
                }
            }
        };
        size("OTEL_BSP_MAX_QUEUE_SIZE", &mut config.bsp_max_queue_size);
        size(
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
            &mut config.bsp_max_export_batch_size,
        );
        // The specification: the batch size must not exceed the queue size.
        config.bsp_max_export_batch_size = config
            .bsp_max_export_batch_size
            .min(config.bsp_max_queue_size);
        if let Some(value) = var("TRACED_TRACES_FILE") {
            config.traces_file = value;
        }
        if let Some(value) = var("TRACED_SPAN_EVENT_LEVEL") {
            // `LevelFilter`'s own parser also takes numbers, which no one should rely on.
            match value.to_ascii_lowercase().as_str() {
                level @ ("off" | "error" | "warn" | "info" | "debug" | "trace") => {
                    config.span_event_level = level.parse().unwrap_or(config.span_event_level);
                }
                _ => errors.push(ConfigError::new(
                    "TRACED_SPAN_EVENT_LEVEL",
                    &value,
                    "expected off, error, warn, info, debug or trace; using info",
                )),
            }
        }
        (config, errors)
    }
}

fn millis(value: &str) -> Option<Duration> {
    value.parse::<u64>().ok().map(Duration::from_millis)
}

fn check_url(value: &str) -> Result<(), String> {
    match value.parse::<http::Uri>() {
        Ok(uri) if uri.scheme().is_some() && uri.host().is_some() => Ok(()),
        _ => {
            Err("expected an absolute URL such as http://localhost:4317; using the default".into())
        }
    }
}

/// `key1=value1,key2=value2` with percent-encoded keys and values (W3C Baggage octets), as
/// `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_EXPORTER_OTLP_HEADERS` are written.
fn parse_pairs(value: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for member in value.split(',') {
        let member = member.trim();
        if member.is_empty() {
            continue;
        }
        let Some((key, value)) = member.split_once('=') else {
            return Err(format!(
                "`{member}` is not `key=value`; ignoring the whole value"
            ));
        };
        let decode = |text: &str| {
            percent_encoding::percent_decode_str(text.trim())
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| {
                    format!("`{text}` is not valid percent-encoded UTF-8; ignoring the whole value")
                })
        };
        let key = decode(key)?;
        if key.is_empty() {
            return Err(format!(
                "`{member}` has an empty key; ignoring the whole value"
            ));
        }
        pairs.push((key, decode(value)?));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> (Config, Vec<ConfigError>) {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_source(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults() {
        let (config, errors) = read(&[]);
        assert!(errors.is_empty());
        assert_eq!(config.exporters, [ExporterKind::Otlp]);
        assert_eq!(config.otlp_protocol, OtlpProtocol::Grpc);
        assert_eq!(config.sampler, SamplerKind::ParentBasedAlwaysOn);
        assert_eq!(config.otlp_timeout, Duration::from_secs(10));
        assert_eq!(config.span_event_level, tracing_core::LevelFilter::INFO);
    }

    #[test]
    fn every_variable() {
        let (config, errors) = read(&[
            ("OTEL_SDK_DISABLED", "TRUE"),
            ("OTEL_SERVICE_NAME", "orders"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "deployment.environment.name=prod,team=a%2Cb%20c",
            ),
            ("OTEL_TRACES_EXPORTER", "console,file"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "api-key=s%3Dcret,x=1"),
            ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2500"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.25"),
            ("OTEL_PROPAGATORS", "b3multi,tracecontext"),
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
            ("OTEL_BSP_EXPORT_TIMEOUT", "200"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "64"),
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "128"),
            ("TRACED_SPAN_EVENT_LEVEL", "DEBUG"),
        ]);
        assert!(errors.is_empty(), "{errors:?}");
        assert!(config.sdk_disabled);
        assert_eq!(config.service_name.as_deref(), Some("orders"));
        assert_eq!(
            config.resource_attributes,
            [
                ("deployment.environment.name".into(), "prod".into()),
                ("team".into(), "a,b c".into())
            ]
        );
        assert_eq!(
            config.exporters,
            [ExporterKind::Console, ExporterKind::File]
        );
        assert_eq!(config.otlp_protocol, OtlpProtocol::HttpProtobuf);
        assert_eq!(
            config.otlp_endpoint.as_deref(),
            Some("http://collector:4318/v1/traces")
        );
        assert_eq!(
            config.otlp_headers,
            [
                ("api-key".into(), "s=cret".into()),
                ("x".into(), "1".into())
            ]
        );
        assert_eq!(config.otlp_timeout, Duration::from_millis(2500));
        assert!(config.otlp_gzip);
        assert_eq!(config.sampler, SamplerKind::ParentBasedTraceIdRatio(0.25));
        assert_eq!(config.propagators, "b3multi,tracecontext");
        assert_eq!(config.bsp_schedule_delay, Duration::from_millis(100));
        assert_eq!(config.bsp_export_timeout, Duration::from_millis(200));
        assert_eq!(config.bsp_max_queue_size, 64);
        assert_eq!(
            config.bsp_max_export_batch_size, 64,
            "capped by the queue size"
        );
        assert_eq!(config.span_event_level, tracing_core::LevelFilter::DEBUG);
    }

    #[test]
    fn the_traces_endpoint_is_used_as_given() {
        let (config, _) = read(&[
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4318"),
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://special:9999/custom",
            ),
        ]);
        assert_eq!(
            config.otlp_endpoint.as_deref(),
            Some("http://special:9999/custom")
        );
    }

    #[test]
    fn invalid_values_fall_back_and_are_reported() {
        let cases: &[(&str, &str)] = &[
            ("OTEL_SDK_DISABLED", "yes"),
            ("OTEL_RESOURCE_ATTRIBUTES", "novalue"),
            ("OTEL_RESOURCE_ATTRIBUTES", "k=%FF"),
            ("OTEL_TRACES_EXPORTER", "zipkin"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "not a url"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "/relative"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "=x"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "-1"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "brotli"),
            ("OTEL_TRACES_SAMPLER", "sometimes"),
            ("OTEL_TRACES_SAMPLER_ARG", "1.5"),
            ("OTEL_TRACES_SAMPLER_ARG", "NaN"),
            ("OTEL_PROPAGATORS", "xray"),
            ("OTEL_BSP_SCHEDULE_DELAY", "soon"),
            ("OTEL_BSP_EXPORT_TIMEOUT", "1.5"),
            ("OTEL_BSP_MAX_QUEUE_SIZE", "0"),
            ("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "-3"),
            ("TRACED_SPAN_EVENT_LEVEL", "verbose"),
            ("TRACED_SPAN_EVENT_LEVEL", "3"),
        ];
        let defaults = Config::default();
        for (name, value) in cases {
            let (config, errors) = read(&[(name, value)]);
            assert_eq!(errors.len(), 1, "{name}={value}: {errors:?}");
            assert_eq!(errors[0].variable(), *name);
            assert!(errors[0].to_string().contains(name));
            assert!(!config.sdk_disabled);
            assert_eq!(config.exporters, defaults.exporters);
            assert_eq!(config.otlp_endpoint, None);
            assert_eq!(config.bsp_max_queue_size, defaults.bsp_max_queue_size);
            assert_eq!(config.span_event_level, defaults.span_event_level);
        }
    }
}
