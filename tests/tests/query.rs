//! `#[traced_query]` on real databases: SQLite (embedded, always), PostgreSQL and MariaDB /
//! MySQL when they listen (`TRACED_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`; `TRACED_TEST_MYSQL_URL`, default
//! `mysql://root@127.0.0.1:3306/test`). Without a server, its tests say SKIPPED and pass.

use sqlx::{MySqlPool, PgPool, SqlitePool};
use traced_tests::{Capture, ExportedSpan, SpanKind, SpanStatus};

const INSERT_PG: &str = "INSERT INTO traced_orders (id, customer, total) VALUES ($1, $2, $3)";
const INSERT_QM: &str = "INSERT INTO traced_orders (id, customer, total) VALUES (?, ?, ?)";

thread_local! {
    /// How many spans of each system this test has looked at.
    static SEEN: std::cell::RefCell<std::collections::HashMap<String, usize>> =
        std::cell::RefCell::default();
}

/// The next span of `system` this test has not looked at yet. sqlx's SQLite worker thread
/// may hold a clone of the current span for a moment after the query returns: the span
/// ends when it lets go, so this waits for it (bounded).
fn single(capture: &Capture, system: &str) -> ExportedSpan {
    let seen = SEEN.with(|seen| seen.borrow().get(system).copied().unwrap_or(0));
    for _ in 0..300 {
        let spans: Vec<_> = capture
            .spans()
            .into_iter()
            .filter(|s| s.str_attr("db.system.name") == Some(system))
            .collect();
        if spans.len() > seen {
            SEEN.with(|s| s.borrow_mut().insert(system.to_owned(), spans.len()));
            return spans.last().cloned().expect("non-empty");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("no new {system} span");
}

/// The span's SQL attributes are what the run-time analyser says of `sql`: the compile-time
/// and run-time results are the same.
fn assert_sql(span: &ExportedSpan, sql: &str) {
    let analysis = traced_sql::analyze(sql);
    assert_eq!(
        span.str_attr("db.query.text"),
        Some(analysis.sanitized.as_str()),
        "{sql}"
    );
    assert_eq!(
        span.str_attr("db.operation.name"),
        analysis.operation.as_deref(),
        "{sql}"
    );
    assert_eq!(
        span.str_attr("db.collection.name"),
        analysis.collection.as_deref(),
        "{sql}"
    );
    assert_eq!(
        span.str_attr("db.query.summary"),
        analysis.summary.as_deref(),
        "{sql}"
    );
    let name =
        analysis
            .summary
            .clone()
            .or_else(|| match (&analysis.operation, &analysis.collection) {
                (Some(o), Some(c)) => Some(format!("{o} {c}")),
                (Some(o), None) => Some(o.clone()),
                _ => None,
            });
    if let Some(name) = name {
        assert_eq!(span.name, name, "{sql}");
    }
}

// ---------------------------------------------------------------------------------------
// SQLite

#[traced::traced_query(
    "CREATE TABLE traced_orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, total INTEGER NOT NULL)"
)]
async fn sqlite_schema(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    sqlx::query("CREATE TABLE traced_orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, total INTEGER NOT NULL)")
        .execute(pool)
        .await
        .map(drop)
}

#[traced::traced_query(query = INSERT_QM, fields(order_id = id))]
async fn sqlite_insert(
    pool: &SqlitePool,
    id: i64,
    customer: &str,
    total: i64,
) -> Result<sqlx::sqlite::SqliteQueryResult, sqlx::Error> {
    sqlx::query(INSERT_QM)
        .bind(id)
        .bind(customer)
        .bind(total)
        .execute(pool)
        .await
}

#[traced::traced_query(
    "SELECT id, total FROM traced_orders WHERE customer = ? AND total > 100 ORDER BY id"
)]
async fn sqlite_select(pool: &SqlitePool, customer: &str) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, total FROM traced_orders WHERE customer = ? AND total > 100 ORDER BY id",
    )
    .bind(customer)
    .fetch_all(pool)
    .await
}

#[traced::traced_query("SELECT total FROM traced_orders WHERE id = ?")]
async fn sqlite_find(pool: &SqlitePool, id: i64) -> Result<Option<(i64,)>, sqlx::Error> {
    sqlx::query_as("SELECT total FROM traced_orders WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await
}

#[traced::traced_query(system = "sqlite")]
async fn sqlite_dynamic(pool: &SqlitePool, table: &str) -> Result<i64, sqlx::Error> {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE customer = 'alice'");
    traced::db::record_query(&sql);
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(pool)
        .await
}

#[traced::traced_query("SELEKT nonsense FROM")]
async fn sqlite_syntax_error(pool: &SqlitePool) -> Result<(), sqlx::Error> {
    sqlx::query("SELEKT nonsense FROM")
        .execute(pool)
        .await
        .map(drop)
}

async fn sqlite_pool(url: &str) -> SqlitePool {
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .unwrap()
}

#[tokio::test]
async fn sqlite_in_memory_spans() {
    let capture = Capture::new();
    let pool = sqlite_pool("sqlite::memory:").await;
    sqlite_schema(&pool).await.unwrap();

    let result = sqlite_insert(&pool, 1, "alice", 250).await.unwrap();
    assert_eq!(result.rows_affected(), 1);
    let span = single(&capture, "sqlite");
    assert_eq!(
        span.kind,
        SpanKind::Internal,
        "in-memory SQLite is not a remote call"
    );
    assert_sql(&span, INSERT_QM);
    assert_eq!(span.i64_attr("traced.db.response.affected_rows"), Some(1));
    assert_eq!(span.i64_attr("order_id"), Some(1));
    assert!(span.attr("db.namespace").is_none());
    assert_eq!(span.status, SpanStatus::Unset);

    sqlite_insert(&pool, 2, "alice", 50).await.unwrap();
    sqlite_insert(&pool, 3, "alice", 300).await.unwrap();
    assert_eq!(sqlite_select(&pool, "alice").await.unwrap().len(), 2);
    let span = single(&capture, "sqlite");
    assert_sql(
        &span,
        "SELECT id, total FROM traced_orders WHERE customer = ? AND total > 100 ORDER BY id",
    );
    assert!(
        !span.str_attr("db.query.text").unwrap().contains("100"),
        "literals never reach the span"
    );
    assert_eq!(span.i64_attr("db.response.returned_rows"), Some(2));

    assert!(sqlite_find(&pool, 99).await.unwrap().is_none());
    assert_eq!(
        single(&capture, "sqlite").i64_attr("db.response.returned_rows"),
        Some(0)
    );

    assert_eq!(sqlite_dynamic(&pool, "traced_orders").await.unwrap(), 3);
    let span = single(&capture, "sqlite");
    assert_sql(
        &span,
        "SELECT COUNT(*) FROM traced_orders WHERE customer = 'alice'",
    );
    assert!(!span.str_attr("db.query.text").unwrap().contains("alice"));

    // A unique violation: SQLite's extended code, as status code and error.type.
    let error = sqlite_insert(&pool, 1, "bob", 1).await.unwrap_err();
    let code = error
        .as_database_error()
        .unwrap()
        .code()
        .unwrap()
        .into_owned();
    let span = single(&capture, "sqlite");
    assert_eq!(
        span.str_attr("db.response.status_code"),
        Some(code.as_str())
    );
    assert_eq!(span.str_attr("error.type"), Some(code.as_str()));
    assert!(matches!(span.status, SpanStatus::Error(_)));
    assert!(span.event("exception").is_some());

    assert!(sqlite_syntax_error(&pool).await.is_err());
    let span = single(&capture, "sqlite");
    assert!(span.str_attr("db.response.status_code").is_some());
    assert!(matches!(span.status, SpanStatus::Error(_)));
}

#[tokio::test]
async fn sqlite_file_is_a_client_span_with_its_namespace() {
    let capture = Capture::new();
    let path = std::env::temp_dir().join(format!("traced-query-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let pool = sqlite_pool(&format!("sqlite://{}?mode=rwc", path.display())).await;
    sqlite_schema(&pool).await.unwrap();
    let span = single(&capture, "sqlite");
    assert_eq!(span.kind, SpanKind::Client);
    assert_eq!(
        span.str_attr("db.namespace"),
        Some(path.display().to_string().as_str())
    );
    pool.close().await;
    let _ = std::fs::remove_file(&path);
}

#[traced::traced_handler]
async fn order_count(axum::extract::State(pool): axum::extract::State<SqlitePool>) -> String {
    sqlite_select(&pool, "alice")
        .await
        .unwrap()
        .len()
        .to_string()
}

#[tokio::test]
async fn a_query_in_a_handler_is_its_child() {
    let capture = Capture::new();
    let pool = sqlite_pool("sqlite::memory:").await;
    sqlite_schema(&pool).await.unwrap();
    let app = axum::Router::new()
        .route("/count", axum::routing::get(order_count))
        .with_state(pool);
    let addr = traced_tests::serve(app).await;
    let body = reqwest::get(format!("http://{addr}/count"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "0");
    let spans = capture.spans();
    let server = spans.iter().find(|s| s.kind == SpanKind::Server).unwrap();
    let query = spans
        .iter()
        .rfind(|s| s.str_attr("db.system.name") == Some("sqlite"))
        .unwrap();
    assert_eq!(
        query.parent_span_id.as_deref(),
        Some(server.span_id.as_str())
    );
    assert_eq!(query.trace_id, server.trace_id);
}

// ---------------------------------------------------------------------------------------
// PostgreSQL

async fn postgres() -> Option<PgPool> {
    let url = std::env::var("TRACED_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let connected = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_secs(3))
        .connect(&url)
        .await;
    match connected {
        Ok(pool) => Some(pool),
        Err(error) => {
            eprintln!("SKIPPED: no PostgreSQL at {url} ({error}); set TRACED_TEST_POSTGRES_URL");
            None
        }
    }
}

#[traced::traced_query(
    "CREATE TEMPORARY TABLE traced_orders (id BIGINT PRIMARY KEY, customer TEXT NOT NULL, total BIGINT NOT NULL)"
)]
async fn pg_schema(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("CREATE TEMPORARY TABLE traced_orders (id BIGINT PRIMARY KEY, customer TEXT NOT NULL, total BIGINT NOT NULL)")
        .execute(pool)
        .await
        .map(drop)
}

#[traced::traced_query(query = INSERT_PG)]
async fn pg_insert(pool: &PgPool, id: i64, customer: &str, total: i64) -> Result<u64, sqlx::Error> {
    let result = sqlx::query(INSERT_PG)
        .bind(id)
        .bind(customer)
        .bind(total)
        .execute(pool)
        .await?;
    Ok(result.rows_affected())
}

#[traced::traced_query(
    "INSERT INTO traced_orders (id, customer, total) VALUES ($1, $2, 0) ON CONFLICT (id) DO UPDATE SET total = traced_orders.total + 1"
)]
async fn pg_upsert(
    pool: &sqlx::Pool<sqlx::Postgres>,
    id: i64,
    customer: &str,
) -> Result<sqlx::postgres::PgQueryResult, sqlx::Error> {
    sqlx::query("INSERT INTO traced_orders (id, customer, total) VALUES ($1, $2, 0) ON CONFLICT (id) DO UPDATE SET total = traced_orders.total + 1")
        .bind(id)
        .bind(customer)
        .execute(pool)
        .await
}

#[traced::traced_query("UPDATE traced_orders SET total = total * 2 WHERE customer = $1")]
async fn pg_update(
    pool: &PgPool,
    customer: &str,
) -> Result<sqlx::postgres::PgQueryResult, sqlx::Error> {
    sqlx::query("UPDATE traced_orders SET total = total * 2 WHERE customer = $1")
        .bind(customer)
        .execute(pool)
        .await
}

#[traced::traced_query(
    "WITH big AS (SELECT id, total FROM traced_orders WHERE total > 100) SELECT o.id, o.customer FROM traced_orders o JOIN big b ON b.id = o.id"
)]
async fn pg_cte_join(pool: &PgPool) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as("WITH big AS (SELECT id, total FROM traced_orders WHERE total > 100) SELECT o.id, o.customer FROM traced_orders o JOIN big b ON b.id = o.id")
        .fetch_all(pool)
        .await
}

#[traced::traced_query("DELETE FROM traced_orders WHERE id = $1")]
async fn pg_delete(
    conn: &mut sqlx::PgConnection,
    id: i64,
) -> Result<sqlx::postgres::PgQueryResult, sqlx::Error> {
    sqlx::query("DELETE FROM traced_orders WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await
}

#[traced::traced_query("SELECT FROM WHERE")]
async fn pg_syntax_error(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT FROM WHERE")
        .execute(pool)
        .await
        .map(drop)
}

#[tokio::test]
async fn postgresql_spans() {
    let Some(pool) = postgres().await else {
        return;
    };
    let capture = Capture::new();
    pg_schema(&pool).await.unwrap();

    assert_eq!(pg_insert(&pool, 1, "alice", 150).await.unwrap(), 1);
    let span = single(&capture, "postgresql");
    assert_eq!(span.kind, SpanKind::Client);
    assert_sql(&span, INSERT_PG);
    let options = pool.connect_options();
    assert_eq!(span.str_attr("db.namespace"), options.get_database());
    assert_eq!(span.str_attr("server.address"), Some(options.get_host()));
    assert_eq!(
        span.i64_attr("server.port"),
        Some(i64::from(options.get_port()))
    );

    pg_insert(&pool, 2, "bob", 90).await.unwrap();
    let upserted = pg_upsert(&pool, 1, "alice").await.unwrap();
    assert_eq!(upserted.rows_affected(), 1);
    let span = single(&capture, "postgresql");
    assert_eq!(span.i64_attr("traced.db.response.affected_rows"), Some(1));
    assert!(!span.str_attr("db.query.text").unwrap().contains(" 0)"));

    pg_update(&pool, "alice").await.unwrap();
    assert_sql(
        &single(&capture, "postgresql"),
        "UPDATE traced_orders SET total = total * 2 WHERE customer = $1",
    );

    let rows = pg_cte_join(&pool).await.unwrap();
    assert_eq!(rows.len(), 1);
    let span = single(&capture, "postgresql");
    assert_eq!(span.i64_attr("db.response.returned_rows"), Some(1));
    assert!(!span.str_attr("db.query.text").unwrap().contains("100"));

    let mut conn = pool.acquire().await.unwrap();
    let deleted = pg_delete(&mut conn, 2).await.unwrap();
    drop(conn);
    assert_eq!(deleted.rows_affected(), 1);
    let span = single(&capture, "postgresql");
    assert!(
        span.attr("server.address").is_none(),
        "a connection has no options to read"
    );

    // Unique violation: SQLSTATE 23505.
    assert!(pg_insert(&pool, 1, "again", 1).await.is_err());
    let span = single(&capture, "postgresql");
    assert_eq!(span.str_attr("db.response.status_code"), Some("23505"));
    assert_eq!(span.str_attr("error.type"), Some("23505"));
    assert!(matches!(span.status, SpanStatus::Error(_)));
    let exception = span.event("exception").unwrap();
    assert!(
        exception
            .str_attr("exception.message")
            .unwrap()
            .contains("duplicate key")
    );

    // Syntax error: 42601.
    assert!(pg_syntax_error(&pool).await.is_err());
    assert_eq!(
        single(&capture, "postgresql").str_attr("db.response.status_code"),
        Some("42601")
    );
}

#[tokio::test]
async fn a_connection_failure_is_a_low_cardinality_error() {
    let capture = Capture::new();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(500))
        .connect_lazy(&format!("postgres://postgres@{closed}/test"))
        .unwrap();
    let error = pg_insert(&pool, 1, "x", 1).await.unwrap_err();
    let span = single(&capture, "postgresql");
    let error_type = span.str_attr("error.type").unwrap();
    assert!(
        error_type.starts_with("sqlx::Error::"),
        "{error_type} for {error}"
    );
    assert!(span.attr("db.response.status_code").is_none());
    assert!(matches!(span.status, SpanStatus::Error(_)));
    assert_eq!(span.i64_attr("server.port"), Some(i64::from(closed.port())));
}

// ---------------------------------------------------------------------------------------
// MariaDB / MySQL

async fn mysql() -> Option<MySqlPool> {
    let url = std::env::var("TRACED_TEST_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned());
    let connected = sqlx::mysql::MySqlPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(std::time::Duration::from_secs(3))
        .connect(&url)
        .await;
    match connected {
        Ok(pool) => Some(pool),
        Err(error) => {
            eprintln!("SKIPPED: no MariaDB/MySQL at {url} ({error}); set TRACED_TEST_MYSQL_URL");
            None
        }
    }
}

#[traced::traced_query(
    "CREATE TEMPORARY TABLE traced_orders (id BIGINT PRIMARY KEY, customer VARCHAR(64) NOT NULL, total BIGINT NOT NULL)",
    system = "mariadb"
)]
async fn maria_schema(pool: &MySqlPool) -> Result<(), sqlx::Error> {
    sqlx::query("CREATE TEMPORARY TABLE traced_orders (id BIGINT PRIMARY KEY, customer VARCHAR(64) NOT NULL, total BIGINT NOT NULL)")
        .execute(pool)
        .await
        .map(drop)
}

#[traced::traced_query(query = INSERT_QM, system = "mariadb")]
async fn maria_insert(
    pool: &MySqlPool,
    id: i64,
    customer: &str,
    total: i64,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(INSERT_QM)
        .bind(id)
        .bind(customer)
        .bind(total)
        .execute(pool)
        .await?
        .rows_affected())
}

#[traced::traced_query("SELECT id FROM traced_orders WHERE total >= 10 AND customer IN ('a', 'b')")]
async fn mysql_select(pool: &MySqlPool) -> Result<Vec<(i64,)>, sqlx::Error> {
    sqlx::query_as("SELECT id FROM traced_orders WHERE total >= 10 AND customer IN ('a', 'b')")
        .fetch_all(pool)
        .await
}

#[tokio::test]
async fn mariadb_spans() {
    let Some(pool) = mysql().await else {
        return;
    };
    let capture = Capture::new();
    maria_schema(&pool).await.unwrap();
    assert_eq!(maria_insert(&pool, 1, "a", 20).await.unwrap(), 1);
    let span = single(&capture, "mariadb");
    assert_eq!(span.kind, SpanKind::Client);
    assert_sql(&span, INSERT_QM);
    assert_eq!(span.i64_attr("server.port"), Some(3306));

    assert_eq!(mysql_select(&pool).await.unwrap().len(), 1);
    let span = single(&capture, "mysql");
    assert_eq!(span.i64_attr("db.response.returned_rows"), Some(1));
    assert!(!span.str_attr("db.query.text").unwrap().contains("'a'"));

    // Duplicate key: the vendor error number 1062, not the SQLSTATE.
    assert!(maria_insert(&pool, 1, "a", 1).await.is_err());
    let span = single(&capture, "mariadb");
    assert_eq!(span.str_attr("db.response.status_code"), Some("1062"));
    assert_eq!(span.str_attr("error.type"), Some("1062"));
    assert!(matches!(span.status, SpanStatus::Error(_)));
}
