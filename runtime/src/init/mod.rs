//! One-call telemetry set-up: [`init!`](crate::init) or [`Telemetry`].
//!
//! Installs a `tracing` subscriber with [`TracedLayer`](crate::TracedLayer) over an
//! OpenTelemetry SDK pipeline configured by the OpenTelemetry environment variables (see
//! [`Config`]), sets the propagators, and returns a [`TelemetryGuard`] whose drop flushes
//! every finished span and shuts the pipeline down.
//!
//! Exports never run on the application's threads or runtime: OTLP exporters run on the
//! batch processor's thread, inside a small runtime of their own, so the guard works the
//! same on a multi-thread tokio runtime, a current-thread one, or with no runtime at all, and
//! a collector that is down costs the application nothing but the spans it drops (reported
//! on stderr at most once a minute).

mod config;
mod exporter;
mod logs;
mod resource;

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{BatchConfigBuilder, BatchSpanProcessor, SdkTracerProvider};
use tracing_subscriber::layer::SubscriberExt as _;

pub use config::{Config, ConfigError, ExporterKind, OtlpProtocol, SamplerKind};
pub use logs::LogFormat;
pub use resource::ServiceDefaults;

/// Sets up telemetry for the calling crate: [`Telemetry::from_env`] with the crate's
/// package name and version as the default `service.name` and `service.version` (and
/// `TRACED_GIT_REVISION` at build time as `vcs.ref.head.revision`), installed. Keep the
/// guard alive until the end of `main`.
///
/// ```no_run
/// # async fn serve() {}
/// #[tokio::main]
/// async fn main() {
///     let _telemetry = traced::init!();
///     serve().await;
/// } // the guard flushes and shuts down here
/// ```
#[macro_export]
macro_rules! init {
    () => {
        $crate::Telemetry::from_env()
            .service_defaults($crate::ServiceDefaults {
                name: ::core::option::Option::Some(::core::env!("CARGO_PKG_NAME").into()),
                version: ::core::option::Option::Some(::core::env!("CARGO_PKG_VERSION").into()),
                revision: ::core::option_env!("TRACED_GIT_REVISION")
                    .map(::core::convert::Into::into),
            })
            .install()
    };
}

/// A telemetry set-up: the environment's [`Config`], adjusted by the builder methods, then
/// [`Telemetry::install`]ed.
///
/// ```
/// let guard = traced::Telemetry::from_env()
///     .exporters([traced::ExporterKind::Console])
///     .logs(traced::LogFormat::None)
///     .install();
/// drop(guard);
/// ```
#[derive(Debug)]
pub struct Telemetry {
    config: Config,
    problems: Vec<ConfigError>,
    defaults: ServiceDefaults,
    logs: LogFormat,
}

impl Telemetry {
    /// The environment's configuration.
    pub fn from_env() -> Self {
        let (config, problems) = Config::from_env();
        Self::from_config(config, problems)
    }

    /// An explicit configuration (no environment read).
    pub fn from_config(config: Config, problems: Vec<ConfigError>) -> Self {
        Self {
            config,
            problems,
            defaults: ServiceDefaults::default(),
            logs: LogFormat::from_env(),
        }
    }

    /// What the service says about itself, used where the environment is silent.
    pub fn service_defaults(mut self, defaults: ServiceDefaults) -> Self {
        self.defaults = defaults;
        self
    }

    /// Sets `service.name` (over the environment).
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.config.service_name = Some(name.into());
        self
    }

    /// Where spans go (over `OTEL_TRACES_EXPORTER`).
    pub fn exporters(mut self, exporters: impl IntoIterator<Item = ExporterKind>) -> Self {
        self.config.exporters = exporters.into_iter().collect();
        self
    }

    /// The OTLP endpoint (over the environment).
    pub fn otlp_endpoint(mut self, endpoint: impl Into<String>, protocol: OtlpProtocol) -> Self {
        self.config.otlp_endpoint = Some(endpoint.into());
        self.config.otlp_protocol = protocol;
        self
    }

    /// The file of the `file` exporter.
    pub fn traces_file(mut self, path: impl Into<String>) -> Self {
        self.config.traces_file = path.into();
        self
    }

    /// The sampler (over `OTEL_TRACES_SAMPLER`).
    pub fn sampler(mut self, sampler: SamplerKind) -> Self {
        self.config.sampler = sampler;
        self
    }

    /// How log lines are written (over `TRACED_LOG_FORMAT`).
    pub fn logs(mut self, format: LogFormat) -> Self {
        self.logs = format;
        self
    }

    /// The configuration as it stands.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Installs, or returns the first configuration problem without installing anything.
    pub fn try_install(self) -> Result<TelemetryGuard, InitError> {
        if let Some(problem) = self.problems.first() {
            return Err(InitError::Config(problem.clone()));
        }
        self.install_checked()
    }

    /// Installs. Configuration problems are reported on stderr and replaced by their
    /// defaults; if a global subscriber is already set, the pipeline still works for the
    /// spans that reach it and this is reported too. Never panics.
    pub fn install(mut self) -> TelemetryGuard {
        for problem in std::mem::take(&mut self.problems) {
            eprintln!("traced: ignoring {problem}");
        }
        match self.install_checked() {
            Ok(guard) => guard,
            Err(error) => {
                eprintln!("traced: {error}");
                TelemetryGuard { provider: None }
            }
        }
    }

    fn install_checked(self) -> Result<TelemetryGuard, InitError> {
        let config = self.config;
        let propagators = crate::propagation::from_env_value(&config.propagators)
            .map_err(|e| InitError::Other(e.to_string()))?;
        crate::propagation::set_propagator(propagators);

        let provider = (!config.sdk_disabled)
            .then(|| build_provider(&config, &self.defaults))
            .transpose()?;
        let installed = match &provider {
            Some(provider) => {
                let (logs, shown_in_logs) = logs::layer(self.logs);
                let traced = crate::TracedLayer::new(provider.tracer("traced"))
                    .with_sampler(config.sampler)
                    .skip_unsampled(shown_in_logs)
                    .with_event_level(config.span_event_level);
                tracing::subscriber::set_global_default(
                    tracing_subscriber::registry().with(traced).with(logs),
                )
            }
            None => tracing::subscriber::set_global_default(
                tracing_subscriber::registry().with(logs::layer(self.logs).0),
            ),
        };
        let guard = TelemetryGuard { provider };
        match installed {
            Ok(()) => Ok(guard),
            Err(_) => {
                // The spans of this pipeline cannot be reached: shut it down quietly.
                drop(guard);
                Err(InitError::SubscriberAlreadySet)
            }
        }
    }
}

fn build_provider(
    config: &Config,
    defaults: &ServiceDefaults,
) -> Result<SdkTracerProvider, InitError> {
    let resource = resource::build(
        config,
        defaults,
        &|name| std::env::var(name).ok(),
        &|path| std::fs::read_to_string(path).ok(),
    );
    let mut builder = SdkTracerProvider::builder()
        .with_resource(resource)
        .with_sampler(config.sampler.sdk_sampler())
        .with_id_generator(crate::sampling::TracedIdGenerator::default());
    let batch = || {
        BatchConfigBuilder::default()
            .with_scheduled_delay(config.bsp_schedule_delay)
            .with_max_queue_size(config.bsp_max_queue_size)
            .with_max_export_batch_size(config.bsp_max_export_batch_size)
            .build()
    };
    for kind in &config.exporters {
        builder = match kind {
            ExporterKind::Otlp => {
                let stats = std::sync::Arc::new(exporter::Stats::default());
                let exporter = exporter::otlp(config, stats.clone()).map_err(InitError::Other)?;
                let destination = exporter.destination().to_owned();
                builder.with_span_processor(exporter::Counting::new(
                    BatchSpanProcessor::builder(exporter)
                        .with_batch_config(batch())
                        .build(),
                    stats,
                    destination,
                ))
            }
            ExporterKind::Console => {
                builder.with_simple_exporter(crate::export::ConsoleExporter::new())
            }
            ExporterKind::File => {
                let exporter = crate::export::OtlpJsonFileExporter::create(&config.traces_file)
                    .map_err(|e| {
                        InitError::Other(format!("cannot write {}: {e}", config.traces_file))
                    })?;
                builder.with_span_processor(
                    BatchSpanProcessor::builder(exporter)
                        .with_batch_config(batch())
                        .build(),
                )
            }
        };
    }
    Ok(builder.build())
}

/// Why telemetry could not be installed.
#[derive(Debug)]
#[non_exhaustive]
pub enum InitError {
    /// An environment variable has a value that cannot be used.
    Config(ConfigError),
    /// Another global `tracing` subscriber is already installed.
    SubscriberAlreadySet,
    /// An exporter could not be built.
    Other(String),
}

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InitError::Config(error) => write!(f, "invalid configuration: {error}"),
            InitError::SubscriberAlreadySet => f.write_str(
                "a global tracing subscriber is already installed; spans will not be exported",
            ),
            InitError::Other(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for InitError {}

/// Keeps the pipeline alive; dropping it flushes every finished span and shuts the
/// pipeline down, within the export timeout.
#[must_use = "dropping the guard shuts telemetry down at once"]
#[derive(Debug)]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
}

impl TelemetryGuard {
    /// The tracer provider, for code that needs OpenTelemetry tracers directly.
    pub fn provider(&self) -> Option<&SdkTracerProvider> {
        self.provider.as_ref()
    }

    /// Exports every finished span now.
    pub fn flush(&self) {
        if let Some(provider) = &self.provider {
            let _ = provider.force_flush();
        }
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take() {
            // Exports run on the processors' threads, never on this one: blocking here
            // is safe inside any async runtime.
            if let Err(error) = provider.shutdown_with_timeout(Duration::from_secs(10)) {
                eprintln!("traced: shutting telemetry down: {error}");
            }
        }
    }
}
