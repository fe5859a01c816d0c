//! The statement corpus shared by `corpus_cases.rs` and `corpus_properties.rs`.
//!
//! In `sql`, `«...»` marks a literal (or comment text) that must not survive sanitising
//! (unclosed: to the end of the text), and `‹...›` marks a bind placeholder, or a token
//! sanitising treats as one (a MySQL `@variable`, PostgreSQL's `?` operator), that must
//! survive it. The markers are removed to give the text that is analysed; see
//! [`Case::input`].

// Each test crate that includes this module uses only part of it.
#![allow(dead_code)]

pub(crate) struct Case {
    /// The statement, with its literals and placeholders marked.
    pub(crate) sql: &'static str,
    pub(crate) sanitized: &'static str,
    pub(crate) summary: Option<&'static str>,
}

const fn case(sql: &'static str, sanitized: &'static str, summary: Option<&'static str>) -> Case {
    Case {
        sql,
        sanitized,
        summary,
    }
}

impl Case {
    /// The text to analyse: `sql` without its markers.
    pub(crate) fn input(&self) -> String {
        self.sql.replace(['«', '»', '‹', '›'], "")
    }

    /// The marked literals, as written in the input.
    pub(crate) fn literals(&self) -> Vec<&'static str> {
        marked(self.sql, '«', '»')
    }

    /// The marked placeholders, as written in the input.
    pub(crate) fn placeholders(&self) -> Vec<&'static str> {
        marked(self.sql, '‹', '›')
    }
}

fn marked(sql: &'static str, open: char, close: char) -> Vec<&'static str> {
    let mut found = Vec::new();
    let mut rest = sql;
    while let Some(start) = rest.find(open) {
        let after = &rest[start + open.len_utf8()..];
        // A literal left open in the text is marked open to the end of it.
        let end = after.find(close).unwrap_or(after.len());
        found.push(&after[..end]);
        rest = after.get(end + close.len_utf8()..).unwrap_or("");
    }
    found
}

pub(crate) const CORPUS: &[Case] = &[
    // The examples of the conventions' "Generating a summary of the query".
    case(
        "SELECT *\nFROM   wuser_table\nWHERE  username = ‹?›",
        "SELECT *\nFROM   wuser_table\nWHERE  username = ?",
        Some("SELECT wuser_table"),
    ),
    case(
        "INSERT INTO shipping_details\n            (order_id,\n            address)\nSELECT order_id,\n       address\nFROM   orders\nWHERE  order_id = ‹?›",
        "INSERT INTO shipping_details\n            (order_id,\n            address)\nSELECT order_id,\n       address\nFROM   orders\nWHERE  order_id = ?",
        Some("INSERT shipping_details SELECT orders"),
    ),
    case(
        "SELECT *\nFROM   songs,\n       artists\nWHERE  songs.artist_id == artists.id",
        "SELECT *\nFROM   songs,\n       artists\nWHERE  songs.artist_id == artists.id",
        Some("SELECT songs artists"),
    ),
    case(
        "SELECT order_date\nFROM   (SELECT *\n        FROM   orders o\n               JOIN customers c\n                 ON o.customer_id = c.customer_id)",
        "SELECT order_date\nFROM   (SELECT *\n        FROM   orders o\n               JOIN customers c\n                 ON o.customer_id = c.customer_id)",
        Some("SELECT SELECT orders customers"),
    ),
    case(
        "SELECT *\nFROM   \"song list\",\n       «'artists'»",
        "SELECT *\nFROM   \"song list\",\n       ?",
        Some("SELECT \"song list\" 'artists'"),
    ),
    case(
        "{call some_stored_procedure}",
        "{call some_stored_procedure}",
        Some("call some_stored_procedure"),
    ),
    case(
        "SELECT * FROM wuser_table where username = «'jdoe'»",
        "SELECT * FROM wuser_table where username = ?",
        Some("SELECT wuser_table"),
    ),
    // Single-quoted strings.
    case(
        "SELECT * FROM users WHERE email = «'alice@example.com'»",
        "SELECT * FROM users WHERE email = ?",
        Some("SELECT users"),
    ),
    case(
        "SELECT * FROM users WHERE nickname = «''»",
        "SELECT * FROM users WHERE nickname = ?",
        Some("SELECT users"),
    ),
    case(
        "SELECT * FROM people WHERE surname = «'O''Brien'»",
        "SELECT * FROM people WHERE surname = ?",
        Some("SELECT people"),
    ),
    case(
        "SELECT «'He said ''hi'' and left'» AS quote",
        "SELECT ? AS quote",
        Some("SELECT"),
    ),
    case(
        "SELECT «''''» AS only_a_quote",
        "SELECT ? AS only_a_quote",
        Some("SELECT"),
    ),
    case(
        "SELECT «'first line\nsecond line'» FROM notes",
        "SELECT ? FROM notes",
        Some("SELECT notes"),
    ),
    case(
        "SELECT «'abc'» «'def'» AS joined",
        "SELECT ? ? AS joined",
        Some("SELECT"),
    ),
    case(
        "SELECT * FROM docs WHERE body LIKE «'%-- not a comment%'»",
        "SELECT * FROM docs WHERE body LIKE ?",
        Some("SELECT docs"),
    ),
    case(
        "SELECT * FROM docs WHERE body = «'/* not a comment */'» AND id = ‹$1›",
        "SELECT * FROM docs WHERE body = ? AND id = $1",
        Some("SELECT docs"),
    ),
    case(
        "SELECT * FROM prices WHERE label = «'costs $1 or ? or :amount'»",
        "SELECT * FROM prices WHERE label = ?",
        Some("SELECT prices"),
    ),
    case(
        "SELECT * FROM quotes WHERE text = «'say \"quoted\" words'»",
        "SELECT * FROM quotes WHERE text = ?",
        Some("SELECT quotes"),
    ),
    case(
        "SELECT * FROM quotes WHERE text = «'semi; colon'»; SELECT 2",
        "SELECT * FROM quotes WHERE text = ?; SELECT ?",
        Some("SELECT quotes SELECT"),
    ),
    case(
        "INSERT INTO settings (name, value) VALUES («'theme'», «'dark'»)",
        "INSERT INTO settings (name, value) VALUES (?, ?)",
        Some("INSERT settings"),
    ),
    case(
        "UPDATE accounts SET password_hash = «'$2b$12$abcdefghijk'» WHERE id = ‹$1›",
        "UPDATE accounts SET password_hash = ? WHERE id = $1",
        Some("UPDATE accounts"),
    ),
    case(
        "SELECT * FROM logs WHERE message = «'unterminated secret",
        "SELECT * FROM logs WHERE message = ?",
        Some("SELECT logs"),
    ),
    case(
        "SELECT * FROM t1 WHERE a = «'x'» AND b = «'dangling; DROP TABLE t1; --",
        "SELECT * FROM t1 WHERE a = ? AND b = ?",
        Some("SELECT t1"),
    ),
    // Escape strings and backslashes.
    case(
        "SELECT * FROM messages WHERE body = «E'it\\'s here'»",
        "SELECT * FROM messages WHERE body = ?",
        Some("SELECT messages"),
    ),
    case(
        "SELECT «e'tab\\tnew\\nline'», «E'back\\\\slash'» FROM dual",
        "SELECT ?, ? FROM dual",
        Some("SELECT dual"),
    ),
    case(
        "SELECT «E'\\''», «E'a\\\\'» AS x",
        "SELECT ?, ? AS x",
        Some("SELECT"),
    ),
    case(
        "SELECT «E'\\x41\\u00e9'» AS unicode_escape",
        "SELECT ? AS unicode_escape",
        Some("SELECT"),
    ),
    case(
        "SELECT «E'unterminated \\' still open",
        "SELECT ?",
        Some("SELECT"),
    ),
    case(
        "SELECT * FROM users WHERE name = «'O\\'Reilly'» AND city = «'Boston'»",
        "SELECT * FROM users WHERE name = ? AND city = ?",
        Some("SELECT users"),
    ),
    case(
        "SELECT * FROM files WHERE path = «'C:\\'» OR path = «'D:\\'»",
        "SELECT * FROM files WHERE path = ? OR path = ?",
        Some("SELECT files"),
    ),
    case(
        "SELECT * FROM files WHERE dir = «'C:\\temp\\'» AND owner = «'secretowner'»",
        "SELECT * FROM files WHERE dir = ? AND owner = ?",
        Some("SELECT files"),
    ),
    case(
        "SELECT «'a\\\\'» AS escaped_backslash, «'b'» AS next",
        "SELECT ? AS escaped_backslash, ? AS next",
        Some("SELECT"),
    ),
    case(
        "SELECT * FROM t2 WHERE a = «'x\\' AND b = \\'y'»",
        "SELECT * FROM t2 WHERE a = ?",
        Some("SELECT t2"),
    ),
    // Prefixed strings: national, Unicode, charset introducers, binary and hexadecimal.
    case(
        "SELECT * FROM USERS WHERE username = «N'john.doe'»",
        "SELECT * FROM USERS WHERE username = ?",
        Some("SELECT USERS"),
    ),
    case(
        "SELECT «n'nächste'», «U&'d\\0061t\\+000061'» FROM dual",
        "SELECT ?, ? FROM dual",
        Some("SELECT dual"),
    ),
    case(
        "SELECT «_latin1'héllo'» COLLATE utf8mb4_bin, «_binary'blob'» FROM dual",
        "SELECT ? COLLATE utf8mb4_bin, ? FROM dual",
        Some("SELECT dual"),
    ),
    case(
        "SELECT * FROM blobs WHERE digest = «X'DEADBEEF'» OR digest = «x'cafe'»",
        "SELECT * FROM blobs WHERE digest = ? OR digest = ?",
        Some("SELECT blobs"),
    ),
    case(
        "SELECT «B'0101'», «b'1'» FROM flags",
        "SELECT ?, ? FROM flags",
        Some("SELECT flags"),
    ),
    case(
        "SELECT «0xDEADBEEF», «0XdeadBEEF», «0b1011», «0o17» FROM dual",
        "SELECT ?, ?, ?, ? FROM dual",
        Some("SELECT dual"),
    ),
    case(
        "SELECT * FROM events WHERE day = DATE «'2024-02-29'» AND at > TIMESTAMP «'2024-02-29 10:00:00'»",
        "SELECT * FROM events WHERE day = DATE ? AND at > TIMESTAMP ?",
        Some("SELECT events"),
    ),
    case(
        "SELECT * FROM events WHERE at > now() - INTERVAL «'7 days'»",
        "SELECT * FROM events WHERE at > now() - INTERVAL ?",
        Some("SELECT events"),
    ),
    case(
        "SELECT * FROM events WHERE at > NOW() - INTERVAL «1» DAY",
        "SELECT * FROM events WHERE at > NOW() - INTERVAL ? DAY",
        Some("SELECT events"),
    ),
    case(
        "SELECT «'{\"a\": 1}'»::jsonb -> «'a'» FROM dual",
        "SELECT ?::jsonb -> ? FROM dual",
        Some("SELECT dual"),
    ),
    // Dollar-quoted strings.
    case(
        "SELECT «$$it's a $1 trap; -- really$$» AS body",
        "SELECT ? AS body",
        Some("SELECT"),
    ),
    case(
        "SELECT «$tag$ nested $$ dollars $$ and 'quotes' $tag$» FROM docs",
        "SELECT ? FROM docs",
        Some("SELECT docs"),
    ),
    case(
        "SELECT «$a$ contains $b$ inner $b$ $a$», «$b$x$b$» FROM dual",
        "SELECT ?, ? FROM dual",
        Some("SELECT dual"),
    ),
    case(
        "SELECT «$été$ unicode tag $été$» AS x",
        "SELECT ? AS x",
        Some("SELECT"),
    ),
    case(
        "DO «$$BEGIN RAISE NOTICE 'hello'; END$$»",
        "DO ?",
        Some("DO"),
    ),
    case(
        "SELECT «$body$ never closed; DELETE 'leak'",
        "SELECT ?",
        Some("SELECT"),
    ),
    case(
        "CREATE FUNCTION add_one(i integer) RETURNS integer AS «$fn$ SELECT i + 1; $fn$» LANGUAGE sql",
        "CREATE FUNCTION add_one(i integer) RETURNS integer AS ? LANGUAGE sql",
        Some("CREATE FUNCTION add_one"),
    ),
    // Numbers.
    case(
        "SELECT «12», «-12», «+12» FROM dual",
        "SELECT ?, ?, ? FROM dual",
        Some("SELECT dual"),
    ),
    case(
        "SELECT «12.34», «-12.34», «+12.34», «.01», «-.01» FROM dual",
        "SELECT ?, ?, ?, ?, ? FROM dual",
        Some("SELECT dual"),
    ),
    case(
        "SELECT «12.34e56», «-12.34e56», «12.34e-56», «1E+3», «5.e2», «5».",
        "SELECT ?, ?, ?, ?, ?, ?.",
        Some("SELECT"),
    ),
    case(
        "SELECT «1_000_000», «0.000_1» FROM dual",
        "SELECT ?, ? FROM dual",
        Some("SELECT dual"),
    ),
    case(
        "SELECT c3po, r2d2 FROM covid19 WHERE n1h1=«1234»",
        "SELECT c3po, r2d2 FROM covid19 WHERE n1h1=?",
        Some("SELECT covid19"),
    ),
    case(
        "INSERT INTO X VALUES(«1», «23456», «123.456», «99»+«100»)",
        "INSERT INTO X VALUES(?, ?, ?, ?+?)",
        Some("INSERT X"),
    ),
    case(
        "SELECT balance-«10», balance - «-10», rate*«-2», («-3»), abs(«-4») FROM accounts WHERE delta=«-5»",
        "SELECT balance-?, balance - ?, rate*?, (?), abs(?) FROM accounts WHERE delta=?",
        Some("SELECT accounts"),
    ),
    case(
        "SELECT «1»-«1», (x)-«2», arr[«1»]-«3», ‹$1›-«4» FROM nums",
        "SELECT ?-?, (x)-?, arr[?]-?, $1-? FROM nums",
        Some("SELECT nums"),
    ),
    case(
        "SELECT * FROM readings WHERE value BETWEEN «-1.5» AND «+1.5»",
        "SELECT * FROM readings WHERE value BETWEEN ? AND ?",
        Some("SELECT readings"),
    ),
    case(
        "SELECT CASE WHEN score > «0» THEN «-1» ELSE «+1» END FROM results",
        "SELECT CASE WHEN score > ? THEN ? ELSE ? END FROM results",
        Some("SELECT results"),
    ),
    case(
        "SELECT * FROM items ORDER BY id LIMIT «10» OFFSET «20»",
        "SELECT * FROM items ORDER BY id LIMIT ? OFFSET ?",
        Some("SELECT items"),
    ),
    case(
        "SELECT * FROM items LIMIT «10», «20»",
        "SELECT * FROM items LIMIT ?, ?",
        Some("SELECT items"),
    ),
    case(
        "SELECT price - - «1» FROM items",
        "SELECT price - - ? FROM items",
        Some("SELECT items"),
    ),
    case(
        "SELECT «1»+«2»*«3»/«4»%«5» AS arithmetic",
        "SELECT ?+?*?/?%? AS arithmetic",
        Some("SELECT"),
    ),
    case(
        "SELECT «1abc», «2fa» FROM dual",
        "SELECT ?, ? FROM dual",
        Some("SELECT dual"),
    ),
    case("SELECT t.«5» FROM t", "SELECT t.? FROM t", Some("SELECT t")),
    // Booleans and NULL.
    case(
        "SELECT * FROM flags WHERE enabled = «TRUE» AND deleted = «false»",
        "SELECT * FROM flags WHERE enabled = ? AND deleted = ?",
        Some("SELECT flags"),
    ),
    case(
        "SELECT * FROM flags WHERE enabled IS «True» AND archived IS NOT «FALSE» AND note IS NULL",
        "SELECT * FROM flags WHERE enabled IS ? AND archived IS NOT ? AND note IS NULL",
        Some("SELECT flags"),
    ),
    case(
        "SELECT is_true, true_value, t.true, \"false\" FROM flags t WHERE x = «true»",
        "SELECT is_true, true_value, t.true, \"false\" FROM flags t WHERE x = ?",
        Some("SELECT flags"),
    ),
    case(
        "UPDATE flags SET enabled = NOT «TRUE» WHERE id = NULL",
        "UPDATE flags SET enabled = NOT ? WHERE id = NULL",
        Some("UPDATE flags"),
    ),
    // Placeholders of every style stay as written.
    case(
        "SELECT * FROM orders WHERE id = ‹$1› AND customer_id = ‹$2› AND total > ‹$10›",
        "SELECT * FROM orders WHERE id = $1 AND customer_id = $2 AND total > $10",
        Some("SELECT orders"),
    ),
    case(
        "INSERT INTO orders (id, customer_id) VALUES (‹$1›, ‹$2›)",
        "INSERT INTO orders (id, customer_id) VALUES ($1, $2)",
        Some("INSERT orders"),
    ),
    case(
        "INSERT INTO orders (id, customer_id) VALUES (‹?›, ‹?›)",
        "INSERT INTO orders (id, customer_id) VALUES (?, ?)",
        Some("INSERT orders"),
    ),
    case(
        "SELECT * FROM kv WHERE k = ‹?1› OR k = ‹?2› OR k = ‹?1›",
        "SELECT * FROM kv WHERE k = ?1 OR k = ?2 OR k = ?1",
        Some("SELECT kv"),
    ),
    case(
        "SELECT * FROM kv WHERE k = ‹:key› AND v > ‹:min_value›",
        "SELECT * FROM kv WHERE k = :key AND v > :min_value",
        Some("SELECT kv"),
    ),
    case(
        "SELECT * FROM kv WHERE k=‹:1› AND v=‹:2›",
        "SELECT * FROM kv WHERE k=:1 AND v=:2",
        Some("SELECT kv"),
    ),
    case(
        "SELECT * FROM kv WHERE k = ‹@key› AND v = ‹@p1›",
        "SELECT * FROM kv WHERE k = @key AND v = @p1",
        Some("SELECT kv"),
    ),
    case(
        "SELECT * FROM kv WHERE k = ‹$key› AND v = ‹$value›",
        "SELECT * FROM kv WHERE k = $key AND v = $value",
        Some("SELECT kv"),
    ),
    case(
        "SELECT ‹$1›::int, ‹$2›::text[], «'7'»::int4, x::bigint FROM casts",
        "SELECT $1::int, $2::text[], ?::int4, x::bigint FROM casts",
        Some("SELECT casts"),
    ),
    case(
        "SELECT * FROM kv WHERE k = (‹:k›) AND v IN (‹:a›, ‹:b›)",
        "SELECT * FROM kv WHERE k = (:k) AND v IN (:a, :b)",
        Some("SELECT kv"),
    ),
    case(
        "SELECT ‹$1›, ‹?›, ‹:named›, ‹@at›, ‹?3›, ‹$dollar›, «'literal'» FROM mixed",
        "SELECT $1, ?, :named, @at, ?3, $dollar, ? FROM mixed",
        Some("SELECT mixed"),
    ),
    case(
        "SELECT arr[«1»:«2»], arr[lo:hi], m[«3»] FROM arrays",
        "SELECT arr[?:?], arr[lo:hi], m[?] FROM arrays",
        Some("SELECT arrays"),
    ),
    case(
        "SELECT @@version, @@session.sql_mode",
        "SELECT @@version, @@session.sql_mode",
        Some("SELECT"),
    ),
    case("SET ‹@total› := «0»", "SET @total := ?", Some("SET")),
    case(
        "SELECT * FROM docs WHERE data @> ‹$1› AND tags <@ ‹$2› AND data ‹?› «'key'»",
        "SELECT * FROM docs WHERE data @> $1 AND tags <@ $2 AND data ? ?",
        Some("SELECT docs"),
    ),
    case(
        "SELECT * FROM docs WHERE data ?| ARRAY[«'a'», «'b'»] AND data ?& ‹$1›",
        "SELECT * FROM docs WHERE data ?| ARRAY[?, ?] AND data ?& $1",
        Some("SELECT docs"),
    ),
    case(
        "SELECT data #>> «'{a,b}'», data #- «'{c}'», data #> ‹$1› FROM docs",
        "SELECT data #>> ?, data #- ?, data #> $1 FROM docs",
        Some("SELECT docs"),
    ),
    // Comments.
    case(
        "SELECT column -- end of line comment «alice»\nFROM /* block \n comment «bob» */ table",
        "SELECT column \nFROM  table",
        Some("SELECT table"),
    ),
    case(
        "SELECT * FROM songs /*traceparent=«'00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'»*/",
        "SELECT * FROM songs ",
        Some("SELECT songs"),
    ),
    case(
        "/* report for «carol» */ SELECT * FROM reports",
        " SELECT * FROM reports",
        Some("SELECT reports"),
    ),
    case(
        "SELECT/*«x»*/«1»/*«y»*/FROM/**/dual",
        "SELECT ? FROM dual",
        Some("SELECT dual"),
    ),
    case(
        "SELECT «5»-/*«c»*/«-1» AS difference",
        "SELECT ?- ? AS difference",
        Some("SELECT"),
    ),
    case(
        "SELECT /* outer /* inner «secret» */ still «comment» */ id FROM t",
        "SELECT  id FROM t",
        Some("SELECT t"),
    ),
    case(
        "SELECT id FROM t /* never closed «secret»",
        "SELECT id FROM t ",
        Some("SELECT t"),
    ),
    case(
        "SELECT /*+ INDEX(t idx_«hint») */ id FROM t",
        "SELECT  id FROM t",
        Some("SELECT t"),
    ),
    case(
        "SELECT /*!40001 SQL_NO_CACHE «42» */ id FROM t",
        "SELECT  id FROM t",
        Some("SELECT t"),
    ),
    case(
        "SELECT id FROM t WHERE a = «1» # mysql comment «'dave»\nAND b = «2»",
        "SELECT id FROM t WHERE a = ? \nAND b = ?",
        Some("SELECT t"),
    ),
    case(
        "SELECT id FROM t -- comment «'with quote»\r\nWHERE a = «3»",
        "SELECT id FROM t \r\nWHERE a = ?",
        Some("SELECT t"),
    ),
    case(
        "-- name: GetUser :one «erin»\nSELECT * FROM users WHERE id = ‹$1›",
        "\nSELECT * FROM users WHERE id = $1",
        Some("SELECT users"),
    ),
    case(
        "SELECT «'-- inside'», «$$ /* inside */ $$» -- «outside»",
        "SELECT ?, ? ",
        Some("SELECT"),
    ),
    case("--«only a comment»", "", None),
    case("SELECT «1» --", "SELECT ? ", Some("SELECT")),
    // IN lists: literals only collapse, anything else stays.
    case(
        "SELECT * FROM table WHERE value IN («123», «456», «'abc'»)",
        "SELECT * FROM table WHERE value IN (?)",
        Some("SELECT table"),
    ),
    case(
        "SELECT * FROM table WHERE value IN («-123», «.456», «'abc'», «0.12», «1e10»)",
        "SELECT * FROM table WHERE value IN (?)",
        Some("SELECT table"),
    ),
    case(
        "SELECT * FROM t WHERE id IN («42»)",
        "SELECT * FROM t WHERE id IN (?)",
        Some("SELECT t"),
    ),
    case(
        "SELECT * FROM t WHERE id NOT IN ( «1» , «2» ,\n «3» )",
        "SELECT * FROM t WHERE id NOT IN (?)",
        Some("SELECT t"),
    ),
    case(
        "SELECT * FROM t WHERE id in («1», /* «two» */ «2»)",
        "SELECT * FROM t WHERE id in (?)",
        Some("SELECT t"),
    ),
    case(
        "SELECT * FROM t WHERE id IN(«'a,b'», «'c)'», «'d''e'»)",
        "SELECT * FROM t WHERE id IN(?)",
        Some("SELECT t"),
    ),
    case(
        "SELECT * FROM t WHERE id IN (‹$1›, ‹$2›, ‹$3›)",
        "SELECT * FROM t WHERE id IN ($1, $2, $3)",
        Some("SELECT t"),
    ),
    case(
        "SELECT * FROM t WHERE id IN (‹?›, ‹?›, ‹?›)",
        "SELECT * FROM t WHERE id IN (?, ?, ?)",
        Some("SELECT t"),
    ),
    case(
        "SELECT * FROM t WHERE id IN («1», ‹$1›, «2»)",
        "SELECT * FROM t WHERE id IN (?, $1, ?)",
        Some("SELECT t"),
    ),
    case(
        "SELECT * FROM t WHERE id IN («1» + «1», «3»)",
        "SELECT * FROM t WHERE id IN (? + ?, ?)",
        Some("SELECT t"),
    ),
    case(
        "SELECT * FROM t WHERE (a, b) IN ((«1», «2»), («3», «4»))",
        "SELECT * FROM t WHERE (a, b) IN ((?, ?), (?, ?))",
        Some("SELECT t"),
    ),
    case(
        "SELECT * FROM t WHERE id IN (SELECT order_id FROM refunds WHERE amount > «100»)",
        "SELECT * FROM t WHERE id IN (SELECT order_id FROM refunds WHERE amount > ?)",
        Some("SELECT t SELECT refunds"),
    ),
    case(
        "SELECT * FROM t WHERE status IN («'new'», «'paid'») AND kind IN (‹$1›) AND id IN («7», «8»)",
        "SELECT * FROM t WHERE status IN (?) AND kind IN ($1) AND id IN (?)",
        Some("SELECT t"),
    ),
    case(
        "SELECT * FROM t WHERE flag IN («TRUE», «FALSE», NULL)",
        "SELECT * FROM t WHERE flag IN (?, ?, NULL)",
        Some("SELECT t"),
    ),
    case(
        "SELECT * FROM t WHERE id IN («1», «2»",
        "SELECT * FROM t WHERE id IN (?, ?",
        Some("SELECT t"),
    ),
    case(
        "SELECT * FROM t WHERE id IN ()",
        "SELECT * FROM t WHERE id IN ()",
        Some("SELECT t"),
    ),
    case(
        "SELECT * FROM t WHERE id = ANY(ARRAY[«1», «2», «3»]) OR id = ANY(‹$1›)",
        "SELECT * FROM t WHERE id = ANY(ARRAY[?, ?, ?]) OR id = ANY($1)",
        Some("SELECT t"),
    ),
    case(
        "SELECT * FROM t WHERE tags && ARRAY [«'x'», «'y'»]",
        "SELECT * FROM t WHERE tags && ARRAY [?, ?]",
        Some("SELECT t"),
    ),
    // Common table expressions.
    case(
        "WITH recent AS (SELECT * FROM orders WHERE created_at > now() - interval «'1 day'») SELECT * FROM recent r JOIN customers c ON c.id = r.customer_id",
        "WITH recent AS (SELECT * FROM orders WHERE created_at > now() - interval ?) SELECT * FROM recent r JOIN customers c ON c.id = r.customer_id",
        Some("SELECT orders SELECT customers"),
    ),
    case(
        "WITH a AS (SELECT «1»), b AS MATERIALIZED (SELECT * FROM x) SELECT * FROM a, b, y",
        "WITH a AS (SELECT ?), b AS MATERIALIZED (SELECT * FROM x) SELECT * FROM a, b, y",
        Some("SELECT SELECT x SELECT y"),
    ),
    case(
        "WITH RECURSIVE t(n) AS (VALUES («1») UNION ALL SELECT n+«1» FROM t WHERE n < «100») SELECT sum(n) FROM t",
        "WITH RECURSIVE t(n) AS (VALUES (?) UNION ALL SELECT n+? FROM t WHERE n < ?) SELECT sum(n) FROM t",
        Some("SELECT SELECT"),
    ),
    case(
        "WITH orders AS (SELECT * FROM orders WHERE total > «10») SELECT * FROM orders",
        "WITH orders AS (SELECT * FROM orders WHERE total > ?) SELECT * FROM orders",
        Some("SELECT orders SELECT"),
    ),
    case(
        "WITH moved AS (DELETE FROM inbox WHERE read RETURNING *) INSERT INTO archive SELECT * FROM moved",
        "WITH moved AS (DELETE FROM inbox WHERE read RETURNING *) INSERT INTO archive SELECT * FROM moved",
        Some("DELETE inbox INSERT archive SELECT"),
    ),
    case(
        "WITH \"Totals\" (customer, total) AS NOT MATERIALIZED (SELECT customer_id, sum(amount) FROM payments GROUP BY customer_id) UPDATE customers SET lifetime = t.total FROM \"Totals\" t WHERE customers.id = t.customer",
        "WITH \"Totals\" (customer, total) AS NOT MATERIALIZED (SELECT customer_id, sum(amount) FROM payments GROUP BY customer_id) UPDATE customers SET lifetime = t.total FROM \"Totals\" t WHERE customers.id = t.customer",
        Some("SELECT payments UPDATE customers"),
    ),
    case(
        "with cte as (select «'secret'» as s) select s from cte",
        "with cte as (select ? as s) select s from cte",
        Some("select select"),
    ),
    case(
        "WITH upd AS (UPDATE stock SET qty = qty - «1» WHERE sku = ‹$1› RETURNING sku) SELECT count(*) FROM upd",
        "WITH upd AS (UPDATE stock SET qty = qty - ? WHERE sku = $1 RETURNING sku) SELECT count(*) FROM upd",
        Some("UPDATE stock SELECT"),
    ),
    // Several statements.
    case(
        "BEGIN; INSERT INTO audit (msg) VALUES («'login'»); COMMIT;",
        "BEGIN; INSERT INTO audit (msg) VALUES (?); COMMIT;",
        Some("BEGIN INSERT audit COMMIT"),
    ),
    case(
        "SELECT «1»; SELECT «2»;; SELECT «3»",
        "SELECT ?; SELECT ?;; SELECT ?",
        Some("SELECT SELECT SELECT"),
    ),
    case(
        "UPDATE a SET x = «1» WHERE id = ‹$1›; DELETE FROM b WHERE id = ‹$1›",
        "UPDATE a SET x = ? WHERE id = $1; DELETE FROM b WHERE id = $1",
        Some("UPDATE a DELETE b"),
    ),
    case(
        "SELECT «1»; frobnicate «'x'»",
        "SELECT ?; frobnicate ?",
        None,
    ),
    case(";;", ";;", None),
    case(
        "SET search_path TO app; SELECT * FROM accounts WHERE id = ‹$1›",
        "SET search_path TO app; SELECT * FROM accounts WHERE id = $1",
        Some("SET SELECT accounts"),
    ),
    // Unicode anywhere.
    case(
        "SELECT * FROM café WHERE naïve = «'crème brûlée'»",
        "SELECT * FROM café WHERE naïve = ?",
        Some("SELECT café"),
    ),
    case(
        "SELECT * FROM \"日本語テーブル\" WHERE 名前 = «'山田太郎'»",
        "SELECT * FROM \"日本語テーブル\" WHERE 名前 = ?",
        Some("SELECT \"日本語テーブル\""),
    ),
    case(
        "INSERT INTO messages (body) VALUES («'emoji 🎉🚀 and zwj 👩‍👩‍👧'»)",
        "INSERT INTO messages (body) VALUES (?)",
        Some("INSERT messages"),
    ),
    case(
        "SELECT «'é'»||«'ü'» AS joined, «'Ω'»=«'Ω'» AS same",
        "SELECT ?||? AS joined, ?=? AS same",
        Some("SELECT"),
    ),
    case(
        "SELECT * FROM données -- commentaire «privé»\nWHERE clé = «'valeur'»",
        "SELECT * FROM données \nWHERE clé = ?",
        Some("SELECT données"),
    ),
    case(
        "SELECT «'combining e\u{301} and ẞ'» FROM straße",
        "SELECT ? FROM straße",
        Some("SELECT straße"),
    ),
    case(
        "SELECT «'\u{feff}bom'», «'\u{202e}rtl'» FROM dual",
        "SELECT ?, ? FROM dual",
        Some("SELECT dual"),
    ),
    case(
        "SELECT ¬x FROM ΑΒΓ WHERE δ=«1»",
        "SELECT ¬x FROM ΑΒΓ WHERE δ=?",
        Some("SELECT ΑΒΓ"),
    ),
    case("SELECT «'unterminated ünïcödé", "SELECT ?", Some("SELECT")),
    // Identifiers that look like keywords, or like literals.
    case(
        "SELECT \"select\", `from`, [order] FROM \"update\" WHERE \"where\" = «1»",
        "SELECT \"select\", `from`, [order] FROM \"update\" WHERE \"where\" = ?",
        Some("SELECT \"update\""),
    ),
    case(
        "SELECT from_date, select_count, insert_id, updated_at, deleted FROM user_values",
        "SELECT from_date, select_count, insert_id, updated_at, deleted FROM user_values",
        Some("SELECT user_values"),
    ),
    case(
        "SELECT * FROM SelectedData JOIN Updates ON Updates.x = SelectedData.x",
        "SELECT * FROM SelectedData JOIN Updates ON Updates.x = SelectedData.x",
        Some("SELECT SelectedData Updates"),
    ),
    case(
        "SELECT U.Id, U.Name FROM Updates UPDAT",
        "SELECT U.Id, U.Name FROM Updates UPDAT",
        Some("SELECT Updates"),
    ),
    case(
        "SELECT \"it''s\", \"say \"\"hi\"\"\" FROM \"we\"\"ird\"",
        "SELECT \"it''s\", \"say \"\"hi\"\"\" FROM \"we\"\"ird\"",
        Some("SELECT \"we\"\"ird\""),
    ),
    case(
        "SELECT `a``b` FROM `my db`.`my table`",
        "SELECT `a``b` FROM `my db`.`my table`",
        Some("SELECT `my db`.`my table`"),
    ),
    case(
        "SELECT * FROM \"unterminated «identifier secret",
        "SELECT * FROM ?",
        Some("SELECT"),
    ),
    case(
        "SELECT in_stock, t.select, t.update FROM inventory t",
        "SELECT in_stock, t.select, t.update FROM inventory t",
        Some("SELECT inventory"),
    ),
    case(
        "SELECT * FROM public.users u, \"Billing\".\"Invoices\" i",
        "SELECT * FROM public.users u, \"Billing\".\"Invoices\" i",
        Some("SELECT public.users \"Billing\".\"Invoices\""),
    ),
    case(
        "SELECT a FROM dbo.Table JOIN dbo.AnotherTable",
        "SELECT a FROM dbo.Table JOIN dbo.AnotherTable",
        Some("SELECT dbo.Table dbo.AnotherTable"),
    ),
    case(
        "SELEcT order_date\nFROM   (sELECT *\nFROM   orders o\nJOIN customers c\nON o.customer_id = c.customer_id)",
        "SELEcT order_date\nFROM   (sELECT *\nFROM   orders o\nJOIN customers c\nON o.customer_id = c.customer_id)",
        Some("SELEcT sELECT orders customers"),
    ),
    // PostgreSQL.
    case(
        "INSERT INTO users (email, name) VALUES (‹$1›, ‹$2›) ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name RETURNING id",
        "INSERT INTO users (email, name) VALUES ($1, $2) ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name RETURNING id",
        Some("INSERT users"),
    ),
    case(
        "INSERT INTO users (email) VALUES («'x@example.org'») ON CONFLICT DO NOTHING",
        "INSERT INTO users (email) VALUES (?) ON CONFLICT DO NOTHING",
        Some("INSERT users"),
    ),
    case(
        "SELECT * FROM jobs WHERE state = «'queued'» ORDER BY id LIMIT «1» FOR UPDATE SKIP LOCKED",
        "SELECT * FROM jobs WHERE state = ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED",
        Some("SELECT jobs"),
    ),
    case(
        "SELECT * FROM jobs FOR NO KEY UPDATE OF jobs NOWAIT",
        "SELECT * FROM jobs FOR NO KEY UPDATE OF jobs NOWAIT",
        Some("SELECT jobs"),
    ),
    case(
        "SELECT EXTRACT(YEAR FROM created_at), SUBSTRING(name FROM «1» FOR «3»), TRIM(BOTH «'x'» FROM code) FROM users",
        "SELECT EXTRACT(YEAR FROM created_at), SUBSTRING(name FROM ? FOR ?), TRIM(BOTH ? FROM code) FROM users",
        Some("SELECT users"),
    ),
    case(
        "SELECT * FROM t WHERE x IS DISTINCT FROM y AND z IS NOT DISTINCT FROM «0»",
        "SELECT * FROM t WHERE x IS DISTINCT FROM y AND z IS NOT DISTINCT FROM ?",
        Some("SELECT t"),
    ),
    case(
        "SELECT g FROM generate_series(«1», «10») AS g",
        "SELECT g FROM generate_series(?, ?) AS g",
        Some("SELECT"),
    ),
    case(
        "SELECT * FROM users u CROSS JOIN LATERAL (SELECT * FROM orders o WHERE o.user_id = u.id LIMIT «3») recent",
        "SELECT * FROM users u CROSS JOIN LATERAL (SELECT * FROM orders o WHERE o.user_id = u.id LIMIT ?) recent",
        Some("SELECT users SELECT orders"),
    ),
    case(
        "SELECT * FROM ONLY measurements WHERE city_id = ‹$1›",
        "SELECT * FROM ONLY measurements WHERE city_id = $1",
        Some("SELECT measurements"),
    ),
    case(
        "SELECT DISTINCT ON (customer_id) * FROM orders ORDER BY customer_id, created_at DESC",
        "SELECT DISTINCT ON (customer_id) * FROM orders ORDER BY customer_id, created_at DESC",
        Some("SELECT orders"),
    ),
    case(
        "SELECT count(*) FILTER (WHERE status = «'late'») FROM deliveries",
        "SELECT count(*) FILTER (WHERE status = ?) FROM deliveries",
        Some("SELECT deliveries"),
    ),
    case(
        "SELECT name FROM users WHERE name ILIKE «'%ann%'» AND name ~* «'^a'»",
        "SELECT name FROM users WHERE name ILIKE ? AND name ~* ?",
        Some("SELECT users"),
    ),
    case(
        "SELECT * FROM unnest(‹$1›::int[]) AS ids(id) JOIN orders USING (id)",
        "SELECT * FROM unnest($1::int[]) AS ids(id) JOIN orders USING (id)",
        Some("SELECT orders"),
    ),
    case(
        "DELETE FROM sessions s USING users u WHERE s.user_id = u.id AND u.banned",
        "DELETE FROM sessions s USING users u WHERE s.user_id = u.id AND u.banned",
        Some("DELETE sessions users"),
    ),
    case(
        "UPDATE orders SET status = «'shipped'» FROM shipments WHERE shipments.order_id = orders.id",
        "UPDATE orders SET status = ? FROM shipments WHERE shipments.order_id = orders.id",
        Some("UPDATE orders shipments"),
    ),
    case(
        "MERGE INTO stock t USING deliveries d ON t.sku = d.sku WHEN MATCHED THEN UPDATE SET qty = t.qty + d.qty WHEN NOT MATCHED THEN INSERT (sku, qty) VALUES (d.sku, d.qty)",
        "MERGE INTO stock t USING deliveries d ON t.sku = d.sku WHEN MATCHED THEN UPDATE SET qty = t.qty + d.qty WHEN NOT MATCHED THEN INSERT (sku, qty) VALUES (d.sku, d.qty)",
        Some("MERGE stock deliveries"),
    ),
    case(
        "MERGE INTO stock USING (SELECT * FROM staging WHERE batch = «7») s ON stock.sku = s.sku WHEN MATCHED THEN DELETE",
        "MERGE INTO stock USING (SELECT * FROM staging WHERE batch = ?) s ON stock.sku = s.sku WHEN MATCHED THEN DELETE",
        Some("MERGE stock SELECT staging"),
    ),
    case("TABLE orders", "TABLE orders", Some("TABLE orders")),
    case(
        "VALUES («1», «'one'»), («2», «'two'»)",
        "VALUES (?, ?), (?, ?)",
        Some("VALUES"),
    ),
    case(
        "CALL transfer(‹$1›, ‹$2›, «100.00»)",
        "CALL transfer($1, $2, ?)",
        Some("CALL transfer"),
    ),
    case(
        "LISTEN order_events; NOTIFY order_events, «'invoice 42 paid'»",
        "LISTEN order_events; NOTIFY order_events, ?",
        Some("LISTEN NOTIFY"),
    ),
    case(
        "COPY orders (id, total) FROM STDIN WITH (FORMAT csv)",
        "COPY orders (id, total) FROM STDIN WITH (FORMAT csv)",
        Some("COPY"),
    ),
    case(
        "EXPLAIN ANALYZE SELECT * FROM orders WHERE id = «5»",
        "EXPLAIN ANALYZE SELECT * FROM orders WHERE id = ?",
        Some("EXPLAIN SELECT orders"),
    ),
    case(
        "EXPLAIN (ANALYZE, FORMAT JSON) WITH c AS (SELECT «1») SELECT * FROM c JOIN d ON «true»",
        "EXPLAIN (ANALYZE, FORMAT JSON) WITH c AS (SELECT ?) SELECT * FROM c JOIN d ON ?",
        Some("EXPLAIN SELECT SELECT d"),
    ),
    case(
        "SELECT pg_advisory_lock(«12345»)",
        "SELECT pg_advisory_lock(?)",
        Some("SELECT"),
    ),
    case(
        "SELECT (SELECT max(total) FROM orders) AS top, COALESCE((SELECT «1» FROM refunds LIMIT «1»), «0»)",
        "SELECT (SELECT max(total) FROM orders) AS top, COALESCE((SELECT ? FROM refunds LIMIT ?), ?)",
        Some("SELECT SELECT orders SELECT refunds"),
    ),
    case(
        "SELECT * FROM a WHERE EXISTS (SELECT «1» FROM b WHERE b.a_id = a.id)",
        "SELECT * FROM a WHERE EXISTS (SELECT ? FROM b WHERE b.a_id = a.id)",
        Some("SELECT a SELECT b"),
    ),
    case(
        "(SELECT id FROM a) UNION ALL (SELECT id FROM b) ORDER BY id",
        "(SELECT id FROM a) UNION ALL (SELECT id FROM b) ORDER BY id",
        Some("SELECT a SELECT b"),
    ),
    case(
        "SELECT Id, Name FROM Customers UNION SELECT Id, Name FROM Suppliers ORDER BY Name",
        "SELECT Id, Name FROM Customers UNION SELECT Id, Name FROM Suppliers ORDER BY Name",
        Some("SELECT Customers SELECT Suppliers"),
    ),
    case(
        "SELECT a, b FROM TableA, TableB GROUP BY a, b",
        "SELECT a, b FROM TableA, TableB GROUP BY a, b",
        Some("SELECT TableA TableB"),
    ),
    case(
        "SELECT * FROM Orders o, OrderDetails od WHERE o.id = od.order_id",
        "SELECT * FROM Orders o, OrderDetails od WHERE o.id = od.order_id",
        Some("SELECT Orders OrderDetails"),
    ),
    case(
        "SELECT * FROM (a JOIN b ON a.id = b.a_id) LEFT OUTER JOIN c ON c.id = b.c_id",
        "SELECT * FROM (a JOIN b ON a.id = b.a_id) LEFT OUTER JOIN c ON c.id = b.c_id",
        Some("SELECT a b c"),
    ),
    case(
        "SELECT * FROM t1 LEFT JOIN t2 USING (id), t3 NATURAL JOIN t4",
        "SELECT * FROM t1 LEFT JOIN t2 USING (id), t3 NATURAL JOIN t4",
        Some("SELECT t1 t2 t3 t4"),
    ),
    // MySQL and MariaDB.
    case(
        "SELECT `id`, `name` FROM `shop`.`products` WHERE `price` > «9.99» AND `name` LIKE «'%lamp%'»",
        "SELECT `id`, `name` FROM `shop`.`products` WHERE `price` > ? AND `name` LIKE ?",
        Some("SELECT `shop`.`products`"),
    ),
    case(
        "INSERT IGNORE INTO tags (name) VALUES (‹?›)",
        "INSERT IGNORE INTO tags (name) VALUES (?)",
        Some("INSERT tags"),
    ),
    case(
        "INSERT LOW_PRIORITY tags (name) VALUES («'x'»)",
        "INSERT LOW_PRIORITY tags (name) VALUES (?)",
        Some("INSERT tags"),
    ),
    case(
        "INSERT INTO counters (k, n) VALUES (‹?›, «1») ON DUPLICATE KEY UPDATE n = n + «1»",
        "INSERT INTO counters (k, n) VALUES (?, ?) ON DUPLICATE KEY UPDATE n = n + ?",
        Some("INSERT counters"),
    ),
    case(
        "REPLACE INTO kv VALUES («'a'», «'b'»)",
        "REPLACE INTO kv VALUES (?, ?)",
        Some("REPLACE kv"),
    ),
    case(
        "SELECT REPLACE(name, «'a'», «'b'») FROM kv",
        "SELECT REPLACE(name, ?, ?) FROM kv",
        Some("SELECT kv"),
    ),
    case(
        "UPDATE LOW_PRIORITY IGNORE a, b SET a.x = b.x WHERE a.id = b.id",
        "UPDATE LOW_PRIORITY IGNORE a, b SET a.x = b.x WHERE a.id = b.id",
        Some("UPDATE a b"),
    ),
    case(
        "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.vip = «1» WHERE c.spent > «1000»",
        "UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.vip = ? WHERE c.spent > ?",
        Some("UPDATE orders customers"),
    ),
    case(
        "DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id WHERE t2.x = «1»",
        "DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id WHERE t2.x = ?",
        Some("DELETE t1 t2"),
    ),
    case(
        "DELETE QUICK IGNORE FROM logs WHERE created < «'2020-01-01'» LIMIT «1000»",
        "DELETE QUICK IGNORE FROM logs WHERE created < ? LIMIT ?",
        Some("DELETE logs"),
    ),
    case(
        "SELECT «'It\\'s'» AS a, «'tab\\there'» AS b, \"dq\" AS c",
        "SELECT ? AS a, ? AS b, \"dq\" AS c",
        Some("SELECT"),
    ),
    case(
        "SELECT SQL_CALC_FOUND_ROWS * FROM posts LIMIT «5»; SELECT FOUND_ROWS()",
        "SELECT SQL_CALC_FOUND_ROWS * FROM posts LIMIT ?; SELECT FOUND_ROWS()",
        Some("SELECT posts SELECT"),
    ),
    case(
        "SELECT id INTO ‹@last_id› FROM orders ORDER BY id DESC LIMIT «1»",
        "SELECT id INTO @last_id FROM orders ORDER BY id DESC LIMIT ?",
        Some("SELECT orders"),
    ),
    case(
        "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci",
        "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci",
        Some("SET"),
    ),
    case(
        "SET SESSION sql_mode = «'STRICT_ALL_TABLES'»",
        "SET SESSION sql_mode = ?",
        Some("SET"),
    ),
    case(
        "SHOW TABLES LIKE «'user%'»",
        "SHOW TABLES LIKE ?",
        Some("SHOW"),
    ),
    case(
        "LOCK TABLES accounts WRITE; UPDATE accounts SET balance = balance - «5» WHERE id = ‹?›; UNLOCK TABLES",
        "LOCK TABLES accounts WRITE; UPDATE accounts SET balance = balance - ? WHERE id = ?; UNLOCK TABLES",
        Some("LOCK UPDATE accounts UNLOCK"),
    ),
    case(
        "SELECT * FROM t WHERE c = «0x1F» OR c = «X'1F'» OR c = «b'0101'»",
        "SELECT * FROM t WHERE c = ? OR c = ? OR c = ?",
        Some("SELECT t"),
    ),
    case("USE shop", "USE shop", Some("USE")),
    case("DESCRIBE products", "DESCRIBE products", Some("DESCRIBE")),
    case(
        "RENAME TABLE old_orders TO orders_archive",
        "RENAME TABLE old_orders TO orders_archive",
        Some("RENAME TABLE old_orders"),
    ),
    // SQLite.
    case(
        "INSERT OR REPLACE INTO kv (k, v) VALUES (‹?1›, ‹?2›)",
        "INSERT OR REPLACE INTO kv (k, v) VALUES (?1, ?2)",
        Some("INSERT kv"),
    ),
    case(
        "INSERT OR IGNORE INTO kv (k, v) VALUES (‹:k›, ‹@v›)",
        "INSERT OR IGNORE INTO kv (k, v) VALUES (:k, @v)",
        Some("INSERT kv"),
    ),
    case(
        "UPDATE OR ROLLBACK kv SET v = ‹$v› WHERE k = ‹$k›",
        "UPDATE OR ROLLBACK kv SET v = $v WHERE k = $k",
        Some("UPDATE kv"),
    ),
    case(
        "INSERT INTO kv (k, v) VALUES («'a'», «1») ON CONFLICT (k) DO UPDATE SET v = v + excluded.v",
        "INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = v + excluded.v",
        Some("INSERT kv"),
    ),
    case(
        "PRAGMA foreign_keys = ON",
        "PRAGMA foreign_keys = ON",
        Some("PRAGMA"),
    ),
    case(
        "PRAGMA journal_mode = «'wal'»; VACUUM; ANALYZE",
        "PRAGMA journal_mode = ?; VACUUM; ANALYZE",
        Some("PRAGMA VACUUM ANALYZE"),
    ),
    case(
        "SELECT * FROM [Order Details] od JOIN [dbo].[Users] u ON u.id = od.uid",
        "SELECT * FROM [Order Details] od JOIN [dbo].[Users] u ON u.id = od.uid",
        Some("SELECT [Order Details] [dbo].[Users]"),
    ),
    case(
        "SELECT * FROM [O'Brien], [Order,Details]",
        "SELECT * FROM [O'Brien], [Order,Details]",
        Some("SELECT [O'Brien] [Order,Details]"),
    ),
    case(
        "ATTACH DATABASE «'/var/data/archive.db'» AS other",
        "ATTACH DATABASE ? AS other",
        Some("ATTACH"),
    ),
    case(
        "CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v BLOB DEFAULT «x'00'») WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v BLOB DEFAULT ?) WITHOUT ROWID",
        Some("CREATE TABLE kv"),
    ),
    case(
        "CREATE TRIGGER bump AFTER INSERT ON orders BEGIN UPDATE stats SET n = n + «1»; INSERT INTO log VALUES (NEW.id, «'created'»); END; SELECT changes()",
        "CREATE TRIGGER bump AFTER INSERT ON orders BEGIN UPDATE stats SET n = n + ?; INSERT INTO log VALUES (NEW.id, ?); END; SELECT changes()",
        Some("CREATE TRIGGER bump SELECT"),
    ),
    case(
        "SELECT * FROM t WHERE rowid = last_insert_rowid() AND x GLOB «'a*'»",
        "SELECT * FROM t WHERE rowid = last_insert_rowid() AND x GLOB ?",
        Some("SELECT t"),
    ),
    // Data definition.
    case(
        "CREATE  TABLE MyTable (\n    ID NOT NULL IDENTITY(«1»,«1») PRIMARY KEY\n)",
        "CREATE  TABLE MyTable (\n    ID NOT NULL IDENTITY(?,?) PRIMARY KEY\n)",
        Some("CREATE TABLE MyTable"),
    ),
    case(
        "CREATE TABLE orders (id bigserial PRIMARY KEY, status text NOT NULL DEFAULT «'new'», total numeric(«10», «2»))",
        "CREATE TABLE orders (id bigserial PRIMARY KEY, status text NOT NULL DEFAULT ?, total numeric(?, ?))",
        Some("CREATE TABLE orders"),
    ),
    case(
        "CREATE TEMPORARY TABLE tmp_ids AS SELECT id FROM orders WHERE total > «100»",
        "CREATE TEMPORARY TABLE tmp_ids AS SELECT id FROM orders WHERE total > ?",
        Some("CREATE TABLE tmp_ids"),
    ),
    case(
        "CREATE OR REPLACE VIEW active_users AS SELECT * FROM users WHERE active = «true»",
        "CREATE OR REPLACE VIEW active_users AS SELECT * FROM users WHERE active = ?",
        Some("CREATE VIEW active_users"),
    ),
    case(
        "CREATE MATERIALIZED VIEW IF NOT EXISTS daily AS SELECT day, sum(total) FROM orders GROUP BY day",
        "CREATE MATERIALIZED VIEW IF NOT EXISTS daily AS SELECT day, sum(total) FROM orders GROUP BY day",
        Some("CREATE MATERIALIZED VIEW daily"),
    ),
    case(
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx_users_email ON users (lower(email))",
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx_users_email ON users (lower(email))",
        Some("CREATE INDEX idx_users_email"),
    ),
    case(
        "CREATE INDEX ON orders (created_at) WHERE status = «'open'»",
        "CREATE INDEX ON orders (created_at) WHERE status = ?",
        Some("CREATE INDEX orders"),
    ),
    case(
        "ALTER TABLE orders ADD COLUMN note text DEFAULT «'none'»",
        "ALTER TABLE orders ADD COLUMN note text DEFAULT ?",
        Some("ALTER TABLE orders"),
    ),
    case(
        "ALTER TABLE ONLY public.orders RENAME COLUMN note TO remark",
        "ALTER TABLE ONLY public.orders RENAME COLUMN note TO remark",
        Some("ALTER TABLE public.orders"),
    ),
    case(
        "DROP TABLE IF EXISTS a, b.c CASCADE",
        "DROP TABLE IF EXISTS a, b.c CASCADE",
        Some("DROP TABLE a b.c"),
    ),
    case(
        "DROP INDEX CONCURRENTLY idx_old",
        "DROP INDEX CONCURRENTLY idx_old",
        Some("DROP INDEX idx_old"),
    ),
    case(
        "TRUNCATE TABLE sessions, tokens RESTART IDENTITY",
        "TRUNCATE TABLE sessions, tokens RESTART IDENTITY",
        Some("TRUNCATE TABLE sessions tokens"),
    ),
    case(
        "TRUNCATE sessions",
        "TRUNCATE sessions",
        Some("TRUNCATE sessions"),
    ),
    case(
        "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\"",
        "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\"",
        Some("CREATE EXTENSION \"uuid-ossp\""),
    ),
    case(
        "CREATE SCHEMA reporting; CREATE DATABASE analytics",
        "CREATE SCHEMA reporting; CREATE DATABASE analytics",
        Some("CREATE SCHEMA reporting CREATE DATABASE analytics"),
    ),
    case(
        "CREATE USER alice WITH PASSWORD «'hunter2'»",
        "CREATE USER alice WITH PASSWORD ?",
        Some("CREATE USER"),
    ),
    case(
        "ALTER ROLE app_admin SET statement_timeout = «'5s'»",
        "ALTER ROLE app_admin SET statement_timeout = ?",
        Some("ALTER ROLE"),
    ),
    case(
        "CREATE SEQUENCE order_seq START WITH «1000» INCREMENT BY «1»",
        "CREATE SEQUENCE order_seq START WITH ? INCREMENT BY ?",
        Some("CREATE SEQUENCE order_seq"),
    ),
    case(
        "CREATE TYPE mood AS ENUM («'sad'», «'ok'», «'happy'»)",
        "CREATE TYPE mood AS ENUM (?, ?, ?)",
        Some("CREATE TYPE mood"),
    ),
    case(
        "CREATE CREDENTIAL AlterEgo WITH IDENTITY = «'Mary5'», SECRET = «'sesame'»",
        "CREATE CREDENTIAL AlterEgo WITH IDENTITY = ?, SECRET = ?",
        Some("CREATE"),
    ),
    case(
        "CREATE PROCEDURE insert_data(a integer) LANGUAGE SQL BEGIN ATOMIC INSERT INTO tbl VALUES (a); INSERT INTO tbl VALUES («2»); END",
        "CREATE PROCEDURE insert_data(a integer) LANGUAGE SQL BEGIN ATOMIC INSERT INTO tbl VALUES (a); INSERT INTO tbl VALUES (?); END",
        Some("CREATE PROCEDURE insert_data"),
    ),
    // Transactions and other commands.
    case(
        "START TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        "START TRANSACTION ISOLATION LEVEL SERIALIZABLE",
        Some("START TRANSACTION"),
    ),
    case(
        "SAVEPOINT sp1; ROLLBACK TO SAVEPOINT sp1; RELEASE SAVEPOINT sp1",
        "SAVEPOINT sp1; ROLLBACK TO SAVEPOINT sp1; RELEASE SAVEPOINT sp1",
        Some("SAVEPOINT ROLLBACK RELEASE"),
    ),
    case(
        "begin; select «1»; end",
        "begin; select ?; end",
        Some("begin select end"),
    ),
    case(
        "GRANT SELECT, UPDATE ON orders TO reporting",
        "GRANT SELECT, UPDATE ON orders TO reporting",
        Some("GRANT"),
    ),
    case(
        "EXEC GetEmployeeById ‹@EmployeeId› = «42»",
        "EXEC GetEmployeeById @EmployeeId = ?",
        Some("EXEC GetEmployeeById"),
    ),
    case(
        "EXEC master.dbo.sp_addlinkedsrvlogin ‹@rmtsrvname› = «N'127.0.0.1'», ‹@useself› = «N'False'», ‹@rmtpassword› = «'F@k3P@assw0rd'»",
        "EXEC master.dbo.sp_addlinkedsrvlogin @rmtsrvname = ?, @useself = ?, @rmtpassword = ?",
        Some("EXEC master.dbo.sp_addlinkedsrvlogin"),
    ),
    case(
        "{‹?› = call next_id(«'orders'»)}",
        "{? = call next_id(?)}",
        None,
    ),
    case(
        "PREPARE fetch_user (int) AS SELECT * FROM users WHERE id = ‹$1›; EXECUTE fetch_user(«7»)",
        "PREPARE fetch_user (int) AS SELECT * FROM users WHERE id = $1; EXECUTE fetch_user(?)",
        Some("PREPARE EXECUTE fetch_user"),
    ),
    // Typical application queries, as sqlx users write them.
    case(
        "INSERT INTO orders (id, customer_id, total, currency, placed_at) VALUES (‹$1›, ‹$2›, ‹$3›, ‹$4›, ‹$5›) RETURNING id, placed_at",
        "INSERT INTO orders (id, customer_id, total, currency, placed_at) VALUES ($1, $2, $3, $4, $5) RETURNING id, placed_at",
        Some("INSERT orders"),
    ),
    case(
        "UPDATE orders SET status = ‹$1›, updated_at = now() WHERE id = ‹$2› AND version = ‹$3› RETURNING version",
        "UPDATE orders SET status = $1, updated_at = now() WHERE id = $2 AND version = $3 RETURNING version",
        Some("UPDATE orders"),
    ),
    case(
        "SELECT o.id, o.total, c.name FROM orders AS o INNER JOIN customers AS c ON c.id = o.customer_id WHERE o.placed_at BETWEEN ‹$1› AND ‹$2› ORDER BY o.placed_at DESC LIMIT ‹$3› OFFSET ‹$4›",
        "SELECT o.id, o.total, c.name FROM orders AS o INNER JOIN customers AS c ON c.id = o.customer_id WHERE o.placed_at BETWEEN $1 AND $2 ORDER BY o.placed_at DESC LIMIT $3 OFFSET $4",
        Some("SELECT orders customers"),
    ),
    case(
        "INSERT INTO line_items (order_id, sku, qty) SELECT ‹$1›, * FROM UNNEST(‹$2›::text[], ‹$3›::int[])",
        "INSERT INTO line_items (order_id, sku, qty) SELECT $1, * FROM UNNEST($2::text[], $3::int[])",
        Some("INSERT line_items SELECT"),
    ),
    case(
        "DELETE FROM sessions WHERE user_id = ‹$1› AND expires_at < ‹$2›",
        "DELETE FROM sessions WHERE user_id = $1 AND expires_at < $2",
        Some("DELETE sessions"),
    ),
    case(
        "SELECT id, email FROM users WHERE email = ‹?› AND tenant_id = ‹?› AND deleted_at IS NULL LIMIT ‹?›",
        "SELECT id, email FROM users WHERE email = ? AND tenant_id = ? AND deleted_at IS NULL LIMIT ?",
        Some("SELECT users"),
    ),
    case(
        "INSERT INTO events (id, kind, payload, created_at) VALUES (‹?›, ‹?›, ‹?›, ‹?›), (‹?›, ‹?›, ‹?›, ‹?›)",
        "INSERT INTO events (id, kind, payload, created_at) VALUES (?, ?, ?, ?), (?, ?, ?, ?)",
        Some("INSERT events"),
    ),
    case(
        "UPDATE accounts SET balance = balance + ‹?› WHERE id = ‹?› AND balance + ‹?› >= «0»",
        "UPDATE accounts SET balance = balance + ? WHERE id = ? AND balance + ? >= ?",
        Some("UPDATE accounts"),
    ),
    case(
        "SELECT * FROM notes WHERE owner = ‹?1› AND (title LIKE ‹?2› OR body LIKE ‹?2›) ORDER BY updated DESC LIMIT ‹?3›",
        "SELECT * FROM notes WHERE owner = ?1 AND (title LIKE ?2 OR body LIKE ?2) ORDER BY updated DESC LIMIT ?3",
        Some("SELECT notes"),
    ),
    case(
        "INSERT INTO kv (k, v, updated) VALUES (‹:k›, ‹:v›, ‹:now›) ON CONFLICT (k) DO UPDATE SET v = ‹:v›, updated = ‹:now›",
        "INSERT INTO kv (k, v, updated) VALUES (:k, :v, :now) ON CONFLICT (k) DO UPDATE SET v = :v, updated = :now",
        Some("INSERT kv"),
    ),
    case(
        "SELECT count(*) AS n FROM orders WHERE status = ANY(‹$1›) AND total > ‹$2›::numeric AND note <> «'internal'»",
        "SELECT count(*) AS n FROM orders WHERE status = ANY($1) AND total > $2::numeric AND note <> ?",
        Some("SELECT orders"),
    ),
    // Text that is not understood still has its literals removed.
    case("", "", None),
    case("   \n\t  ", "   \n\t  ", None),
    case(
        "frobnicate the «'widgets'» with «42»",
        "frobnicate the ? with ?",
        None,
    ),
    case("«'just a string'»", "?", None),
    case("«42»", "?", None),
    case("‹$1›", "$1", None),
    case(
        "(INSERT INTO t VALUES («1»))",
        "(INSERT INTO t VALUES (?))",
        None,
    ),
    case(
        "SELECT * FROM WHERE x = «1»",
        "SELECT * FROM WHERE x = ?",
        Some("SELECT"),
    ),
    case("SELECT ((((«1»))))", "SELECT ((((?))))", Some("SELECT")),
    case(
        "SELECT «1» FROM t WHERE )) a = «'x'» ((",
        "SELECT ? FROM t WHERE )) a = ? ((",
        Some("SELECT t"),
    ),
    case(
        "SELECT * FROM t WHERE a = «'x'» AND b = \\ «3»",
        "SELECT * FROM t WHERE a = ? AND b = \\ ?",
        Some("SELECT t"),
    ),
    case(
        "ALTER  TABLE MyTable ADD Name varchar(«255») «'mypassword'» «1234»",
        "ALTER  TABLE MyTable ADD Name varchar(?) ? ?",
        Some("ALTER TABLE MyTable"),
    ),
    case(
        "SELECT * FROM table WHERE value IN («'abc'», «0xAB», «.456»,",
        "SELECT * FROM table WHERE value IN (?, ?, ?,",
        Some("SELECT table"),
    ),
    case(
        "DECLARE ‹@__geräteIds_0› nvarchar(«4000») = «N'[1,2,3]'»;\n\nSELECT [t].[Id]\nFROM [Tests] AS [t]\nWHERE [t].[Id] IN (\n\tSELECT [g].[value]\n\tFROM OPENJSON(‹@__geräteIds_0›) WITH ([value] bigint «'$'») AS [g]\n)",
        "DECLARE @__geräteIds_0 nvarchar(?) = ?;\n\nSELECT [t].[Id]\nFROM [Tests] AS [t]\nWHERE [t].[Id] IN (\n\tSELECT [g].[value]\n\tFROM OPENJSON(@__geräteIds_0) WITH ([value] bigint ?) AS [g]\n)",
        Some("DECLARE SELECT [Tests] SELECT"),
    ),
    // The summary stops before a part that would take it past 255 characters.
    case(
        "SELECT * FROM Vecnzotjejucwitzgrfifscuevittljlnrlpbruvkezeptqciyvbjhsytmbucbhwttidayecnthaztxbyppbyztcqccedeirgkxzrfezjxfwbtuqxeusroqgbvulgmsvnelovkxqsaqmlogomkhtjuirzhaocxlrmerihnmwaelullionarkmxwdamhduwrbooknqsnilurutgyerxphokeqnnoumbpcfjtmqrbpukjllofiwaltyoawkp o, OrderDetails od",
        "SELECT * FROM Vecnzotjejucwitzgrfifscuevittljlnrlpbruvkezeptqciyvbjhsytmbucbhwttidayecnthaztxbyppbyztcqccedeirgkxzrfezjxfwbtuqxeusroqgbvulgmsvnelovkxqsaqmlogomkhtjuirzhaocxlrmerihnmwaelullionarkmxwdamhduwrbooknqsnilurutgyerxphokeqnnoumbpcfjtmqrbpukjllofiwaltyoawkp o, OrderDetails od",
        Some("SELECT"),
    ),
    case(
        "SELECT * FROM aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, ccccccccccccccccccccccccccccccccccccccccccccc, d",
        "SELECT * FROM aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb, ccccccccccccccccccccccccccccccccccccccccccccc, d",
        Some(
            "SELECT aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb ccccccccccccccccccccccccccccccccccccccccccccc",
        ),
    ),
];
