//! Database spans for `#[traced_query]` on sqlx 0.9 (features `sqlite`, `postgres`, `mysql`).
//!
//! What the attribute knows at compile time (the system, the SQL's operation, collection,
//! summary and sanitised text) is handed to [`query_start`] as constants; what only the
//! pool knows (database, host, port, whether SQLite is in memory) is read from its connect
//! options when the span starts; rows and errors come from the return value.
//!
//! `db.namespace` is the database given when the pool was created (PostgreSQL: the
//! database name; the schema is not queried). Connections and transactions do not expose
//! their options: spans of queries run on them have the system only.

use std::borrow::Cow;
use std::error::Error;

use opentelemetry::trace::{Span as _, SpanKind};
use opentelemetry::{Key, KeyValue};

use crate::error_recording::Failure;
use crate::span_access::with_otel_span;
use crate::span_start::SpanStart;

const DB_SYSTEM_NAME: Key = Key::from_static_str("db.system.name");
const DB_NAMESPACE: Key = Key::from_static_str("db.namespace");
const DB_OPERATION_NAME: Key = Key::from_static_str("db.operation.name");
const DB_COLLECTION_NAME: Key = Key::from_static_str("db.collection.name");
const DB_QUERY_SUMMARY: Key = Key::from_static_str("db.query.summary");
const DB_QUERY_TEXT: Key = Key::from_static_str("db.query.text");
const DB_RESPONSE_STATUS_CODE: Key = Key::from_static_str("db.response.status_code");
const DB_RESPONSE_RETURNED_ROWS: Key = Key::from_static_str("db.response.returned_rows");
/// The registry defines no attribute for the rows a statement changed: ours.
const AFFECTED_ROWS: Key = Key::from_static_str("traced.db.response.affected_rows");
const SERVER_ADDRESS: Key = Key::from_static_str("server.address");
const SERVER_PORT: Key = Key::from_static_str("server.port");

/// What is known of a query's SQL: its sanitised text and what semconv derives from it.
#[derive(Debug, Clone)]
pub struct QueryInfo {
    text: Cow<'static, str>,
    operation: Option<Cow<'static, str>>,
    collection: Option<Cow<'static, str>>,
    summary: Option<Cow<'static, str>>,
}

impl QueryInfo {
    /// What the attribute worked out at compile time.
    #[doc(hidden)]
    pub const fn literal(
        text: &'static str,
        operation: Option<&'static str>,
        collection: Option<&'static str>,
        summary: Option<&'static str>,
    ) -> Self {
        const fn cow(value: Option<&'static str>) -> Option<Cow<'static, str>> {
            match value {
                Some(value) => Some(Cow::Borrowed(value)),
                None => None,
            }
        }
        Self {
            text: Cow::Borrowed(text),
            operation: cow(operation),
            collection: cow(collection),
            summary: cow(summary),
        }
    }

    /// Sanitises and analyses `sql` (the same code the attribute runs at compile time).
    pub fn analyze(sql: &str) -> Self {
        let analysis = traced_sql::analyze(sql);
        Self {
            text: Cow::Owned(analysis.sanitized),
            operation: analysis.operation.map(Cow::Owned),
            collection: analysis.collection.map(Cow::Owned),
            summary: analysis.summary.map(Cow::Owned),
        }
    }

    /// The span name the SQL gives: the summary, else `{operation} {collection}`, else the
    /// operation (semconv's last fallback, the system, is the caller's).
    fn span_name(&self) -> Option<Cow<'static, str>> {
        if let Some(summary) = &self.summary {
            return Some(summary.clone());
        }
        match (&self.operation, &self.collection) {
            (Some(operation), Some(collection)) => Some(format!("{operation} {collection}").into()),
            (Some(operation), None) => Some(operation.clone()),
            _ => None,
        }
    }

    fn attributes(&self, attributes: &mut Vec<KeyValue>) {
        attributes.push(KeyValue::new(DB_QUERY_TEXT, self.text.clone()));
        if let Some(operation) = &self.operation {
            attributes.push(KeyValue::new(DB_OPERATION_NAME, operation.clone()));
        }
        if let Some(collection) = &self.collection {
            attributes.push(KeyValue::new(DB_COLLECTION_NAME, collection.clone()));
        }
        if let Some(summary) = &self.summary {
            attributes.push(KeyValue::new(DB_QUERY_SUMMARY, summary.clone()));
        }
    }
}

/// What a pool's connect options say about where queries go.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct Target {
    namespace: Option<String>,
    address: Option<String>,
    port: Option<u16>,
    in_memory: bool,
}

/// Autoref specialisation: the target of a pool, nothing for other executors.
#[doc(hidden)]
#[derive(Debug)]
pub struct TargetOf<'a, T: ?Sized>(pub &'a T);

/// An executor whose connect options are known.
#[doc(hidden)]
pub trait HasTarget {
    fn db_target(&self) -> Target;
}

/// A server database's pool: its database, host and port.
macro_rules! server_target {
    ($feature:literal, $database:ty) => {
        #[cfg(feature = $feature)]
        impl HasTarget for sqlx::Pool<$database> {
            fn db_target(&self) -> Target {
                let options = self.connect_options();
                Target {
                    namespace: options.get_database().map(str::to_owned),
                    address: Some(options.get_host().to_owned()),
                    port: Some(options.get_port()),
                    in_memory: false,
                }
            }
        }
    };
}

server_target!("postgres", sqlx::Postgres);
server_target!("mysql", sqlx::MySql);

#[cfg(feature = "sqlite")]
impl HasTarget for sqlx::Pool<sqlx::Sqlite> {
    fn db_target(&self) -> Target {
        let options = self.connect_options();
        let file = options.get_filename().to_string_lossy().into_owned();
        // `sqlite::memory:` becomes a shared-cache URI named `file:sqlx-in-memory-N`.
        let in_memory = file == ":memory:" || file.starts_with("file:sqlx-in-memory-");
        Target {
            namespace: (!in_memory).then_some(file),
            address: None,
            port: None,
            in_memory,
        }
    }
}

impl<T: HasTarget + ?Sized> HasTarget for &T {
    fn db_target(&self) -> Target {
        (**self).db_target()
    }
}

impl<T: HasTarget + ?Sized> HasTarget for &mut T {
    fn db_target(&self) -> Target {
        (**self).db_target()
    }
}

#[doc(hidden)]
pub trait KnownTarget {
    fn traced_target(self) -> Target;
}

impl<T: HasTarget + ?Sized> KnownTarget for &&TargetOf<'_, T> {
    fn traced_target(self) -> Target {
        self.0.db_target()
    }
}

#[doc(hidden)]
pub trait UnknownTarget {
    fn traced_target(self) -> Target;
}

impl<T: ?Sized> UnknownTarget for &TargetOf<'_, T> {
    fn traced_target(self) -> Target {
        Target::default()
    }
}

/// The creation options of a query's span: CLIENT (INTERNAL for in-memory SQLite), named
/// from the SQL, with what the SQL and the pool tell. `presample` is false when the span
/// has an explicit parent: the layer then decides on that parent, not here on the current
/// context.
#[doc(hidden)]
pub fn query_start(
    system: &'static str,
    target: impl FnOnce() -> Target,
    info: Option<&QueryInfo>,
    presample: bool,
) -> SpanStart {
    let decision = presample.then(crate::span_start::decide_here).flatten();
    if crate::span_start::drops(decision) {
        // Dropped: neither the pool's options nor the SQL's analysis are read.
        return SpanStart::default().decided(decision);
    }
    let target = target();
    let mut attributes = Vec::with_capacity(9);
    attributes.push(KeyValue::new(DB_SYSTEM_NAME, system));
    if let Some(namespace) = target.namespace {
        attributes.push(KeyValue::new(DB_NAMESPACE, namespace));
    }
    if let Some(address) = target.address {
        attributes.push(KeyValue::new(SERVER_ADDRESS, address));
    }
    if let Some(port) = target.port {
        attributes.push(KeyValue::new(SERVER_PORT, i64::from(port)));
    }
    let name = match info {
        Some(info) => {
            info.attributes(&mut attributes);
            info.span_name().unwrap_or(Cow::Borrowed(system))
        }
        None => Cow::Borrowed(system),
    };
    let kind = if target.in_memory {
        SpanKind::Internal
    } else {
        SpanKind::Client
    };
    SpanStart::default()
        .kind(kind)
        .name(name)
        .attribute_vec(attributes)
        .decided(decision)
}

/// Records the SQL of a query given at run time on the current `#[traced_query]` span:
/// sanitised, with its operation, collection and summary, and the span renamed after it.
///
/// ```
/// # #[cfg(feature = "sqlite")]
/// #[traced::traced_query(system = "sqlite")]
/// async fn count(pool: &sqlx::SqlitePool, table: &str) -> Result<i64, sqlx::Error> {
///     let sql = format!("SELECT COUNT(*) FROM {table} WHERE status = 'open'");
///     traced::db::record_query(&sql);
///     sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(pool).await
/// }
/// ```
pub fn record_query(sql: &str) {
    let info = QueryInfo::analyze(sql);
    let span = tracing::Span::current();
    with_otel_span(&span, |otel| {
        if !otel.span.is_recording() {
            return;
        }
        if let Some(name) = info.span_name() {
            otel.span.update_name(name);
        }
        let mut attributes = Vec::new();
        info.attributes(&mut attributes);
        otel.span.set_attributes(attributes);
    });
}

/// How many rows a return value holds, or a statement changed.
#[doc(hidden)]
pub trait Rows {
    /// `(returned, affected)`.
    fn rows(&self) -> (Option<i64>, Option<i64>);
}

fn count(n: usize) -> Option<i64> {
    i64::try_from(n).ok()
}

impl<T> Rows for Vec<T> {
    fn rows(&self) -> (Option<i64>, Option<i64>) {
        (count(self.len()), None)
    }
}

impl<T> Rows for Option<T> {
    fn rows(&self) -> (Option<i64>, Option<i64>) {
        (Some(i64::from(self.is_some())), None)
    }
}

/// A row is one row returned; a query result says how many rows changed.
macro_rules! rows_of_driver {
    ($feature:literal, $row:ty, $result:ty) => {
        #[cfg(feature = $feature)]
        impl Rows for $row {
            fn rows(&self) -> (Option<i64>, Option<i64>) {
                (Some(1), None)
            }
        }

        #[cfg(feature = $feature)]
        impl Rows for $result {
            fn rows(&self) -> (Option<i64>, Option<i64>) {
                (None, i64::try_from(self.rows_affected()).ok())
            }
        }
    };
}

rows_of_driver!(
    "postgres",
    sqlx::postgres::PgRow,
    sqlx::postgres::PgQueryResult
);
rows_of_driver!(
    "mysql",
    sqlx::mysql::MySqlRow,
    sqlx::mysql::MySqlQueryResult
);
rows_of_driver!(
    "sqlite",
    sqlx::sqlite::SqliteRow,
    sqlx::sqlite::SqliteQueryResult
);

impl<T: Rows, E> Rows for Result<T, E> {
    fn rows(&self) -> (Option<i64>, Option<i64>) {
        self.as_ref().map_or((None, None), Rows::rows)
    }
}

/// Autoref specialisation over return values: rows where the type says, nothing otherwise.
#[doc(hidden)]
#[derive(Debug)]
pub struct RowsOf<'a, T: ?Sized>(pub &'a T);

#[doc(hidden)]
pub trait KnownRows {
    fn traced_rows(self) -> (Option<i64>, Option<i64>);
}

impl<T: Rows + ?Sized> KnownRows for &&RowsOf<'_, T> {
    fn traced_rows(self) -> (Option<i64>, Option<i64>) {
        self.0.rows()
    }
}

#[doc(hidden)]
pub trait NoRows {
    fn traced_rows(self) -> (Option<i64>, Option<i64>);
}

impl<T: ?Sized> NoRows for &RowsOf<'_, T> {
    fn traced_rows(self) -> (Option<i64>, Option<i64>) {
        (None, None)
    }
}

/// Autoref specialisation: the `sqlx::Error` in an `Err`'s source chain, if any.
#[doc(hidden)]
#[derive(Debug)]
pub struct SqlxErrorOf<'a, T: ?Sized>(pub &'a T);

#[doc(hidden)]
pub trait FindSqlxError {
    fn traced_sqlx_error(self) -> Option<DbFailure>;
}

impl<T, E: Error + 'static> FindSqlxError for &&SqlxErrorOf<'_, Result<T, E>> {
    fn traced_sqlx_error(self) -> Option<DbFailure> {
        let error = self.0.as_ref().err()?;
        let mut current: Option<&(dyn Error + 'static)> = Some(error);
        while let Some(error) = current {
            if let Some(sqlx) = error.downcast_ref::<sqlx::Error>() {
                return Some(DbFailure::of(sqlx));
            }
            current = error.source();
        }
        None
    }
}

#[doc(hidden)]
pub trait NoSqlxError {
    fn traced_sqlx_error(self) -> Option<DbFailure>;
}

impl<T: ?Sized> NoSqlxError for &SqlxErrorOf<'_, T> {
    fn traced_sqlx_error(self) -> Option<DbFailure> {
        None
    }
}

/// What an `sqlx::Error` says: the database's code, or the kind of client failure.
#[doc(hidden)]
#[derive(Debug)]
pub struct DbFailure {
    code: Option<String>,
    sqlstate: Option<String>,
    kind: &'static str,
}

impl DbFailure {
    fn of(error: &sqlx::Error) -> Self {
        let kind = match error {
            sqlx::Error::Configuration(_) => "sqlx::Error::Configuration",
            sqlx::Error::InvalidArgument(_) => "sqlx::Error::InvalidArgument",
            sqlx::Error::Database(_) => "sqlx::Error::Database",
            sqlx::Error::Io(_) => "sqlx::Error::Io",
            sqlx::Error::Tls(_) => "sqlx::Error::Tls",
            sqlx::Error::Protocol(_) => "sqlx::Error::Protocol",
            sqlx::Error::RowNotFound => "sqlx::Error::RowNotFound",
            sqlx::Error::TypeNotFound { .. } => "sqlx::Error::TypeNotFound",
            sqlx::Error::ColumnIndexOutOfBounds { .. } => "sqlx::Error::ColumnIndexOutOfBounds",
            sqlx::Error::ColumnNotFound(_) => "sqlx::Error::ColumnNotFound",
            sqlx::Error::ColumnDecode { .. } => "sqlx::Error::ColumnDecode",
            sqlx::Error::Encode(_) => "sqlx::Error::Encode",
            sqlx::Error::Decode(_) => "sqlx::Error::Decode",
            sqlx::Error::PoolTimedOut => "sqlx::Error::PoolTimedOut",
            sqlx::Error::PoolClosed => "sqlx::Error::PoolClosed",
            sqlx::Error::WorkerCrashed => "sqlx::Error::WorkerCrashed",
            _ => "sqlx::Error",
        };
        let mut failure = Self {
            code: None,
            sqlstate: None,
            kind,
        };
        if let sqlx::Error::Database(database) = error {
            failure.sqlstate = database.code().map(|c| c.into_owned());
            failure.code = failure.sqlstate.clone();
            #[cfg(feature = "mysql")]
            if let Some(mysql) = database.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
                // MySQL and MariaDB: the vendor error number, not the SQLSTATE.
                failure.code = Some(mysql.number().to_string());
            }
        }
        failure
    }

    /// Whether the code is an error for `system`: PostgreSQL's SQLSTATE classes 00 and 01
    /// (success, warning) are not; every MySQL and MariaDB code is.
    fn is_error(&self, system: &str) -> bool {
        match (system, &self.code) {
            ("postgresql", Some(code)) => !(code.starts_with("00") || code.starts_with("01")),
            _ => true,
        }
    }
}

/// Records a query's outcome: rows, and on failure `db.response.status_code`, an
/// `error.type` that matches it (or names the client failure), status Error per the
/// system's rule, and the exception with its causes.
#[doc(hidden)]
pub fn record_outcome(
    span: &tracing::Span,
    system: &'static str,
    rows: (Option<i64>, Option<i64>),
    failure: Option<Failure>,
    db: Option<DbFailure>,
) {
    with_otel_span(span, |otel| {
        if !otel.span.is_recording() {
            return;
        }
        if let Some(returned) = rows.0 {
            otel.span
                .set_attribute(KeyValue::new(DB_RESPONSE_RETURNED_ROWS, returned));
        }
        if let Some(affected) = rows.1 {
            otel.span
                .set_attribute(KeyValue::new(AFFECTED_ROWS, affected));
        }
        if let Some(code) = db.as_ref().and_then(|d| d.code.clone()) {
            otel.span
                .set_attribute(KeyValue::new(DB_RESPONSE_STATUS_CODE, code));
        }
    });
    let Some(mut failure) = failure else {
        return;
    };
    if let Some(db) = &db {
        if !db.is_error(system) {
            return;
        }
        failure.error_type = match &db.code {
            Some(code) => Cow::Owned(code.clone()),
            None => Cow::Borrowed(db.kind),
        };
    }
    failure.record(span);
}
