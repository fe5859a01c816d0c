//! Hostile and random input: no panic, bounded work, and the corpus properties that do not
//! need markers (idempotence, `analyze` agreeing with `sanitize`, no growth).

use std::borrow::Cow;

use traced_sql::{analyze, is_parameterized, sanitize};

const MIB: usize = 1 << 20;

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Checks what must hold for any text, and returns the analysis for more checks.
fn check(sql: &str) -> traced_sql::Analysis {
    let analysis = analyze(sql);
    let sanitized = sanitize(sql);
    assert_eq!(analysis.sanitized, sanitized, "input: {sql:?}");
    assert!(sanitized.len() <= sql.len(), "input: {sql:?}");
    assert_eq!(sanitize(&sanitized), sanitized, "input: {sql:?}");
    assert!(
        analysis
            .summary
            .as_ref()
            .is_none_or(|s| s.chars().count() <= 255),
        "input: {sql:?}"
    );
    let _ = is_parameterized(sql);
    analysis
}

#[test]
fn a_mebibyte_of_random_bytes() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let bytes: Vec<u8> = (0..MIB).map(|_| rng.next() as u8).collect();
    check(&String::from_utf8_lossy(&bytes));
}

#[test]
fn deeply_nested_parentheses() {
    let depth = MIB / 2;
    let nested = format!("SELECT {}1{} FROM t", "(".repeat(depth), ")".repeat(depth));
    let analysis = check(&nested);
    assert_eq!(
        analysis.sanitized,
        format!("SELECT {}?{} FROM t", "(".repeat(depth), ")".repeat(depth))
    );
    assert_eq!(analysis.summary.as_deref(), Some("SELECT t"));

    check(&"(".repeat(MIB));
    check(&")".repeat(MIB));
    check(&format!(
        "SELECT * FROM t WHERE a IN {}",
        "(SELECT b FROM u WHERE c IN ".repeat(MIB / 32)
    ));
    check(&"[".repeat(MIB));
    check(&"/*".repeat(MIB / 2));
    check(&"*/".repeat(MIB / 2));
}

#[test]
fn a_hundred_thousand_quotes() {
    for quote in ["'", "\"", "`", "$", "$$", "\\'", "E'", "''", "[", "$a$"] {
        let text = quote.repeat(100_000);
        check(&text);
        check(&format!("SELECT {text} FROM t WHERE x = 1"));
    }
    let open = format!("SELECT * FROM t WHERE a = '{}", "x".repeat(MIB));
    assert_eq!(check(&open).sanitized, "SELECT * FROM t WHERE a = ?");
}

#[test]
fn long_runs_of_every_kind_of_token() {
    for unit in [
        "1, ",
        "-1 ",
        "'a', ",
        "$1, ",
        "?, ",
        ":a, ",
        "@a ",
        "-- c\n",
        "/* c */",
        "# c\n",
        "a.b.",
        "x::int ",
        "IN (1, ",
        "IN ($1 ",
        "SELECT ",
        "FROM t, ",
        "WITH a AS (",
        "; ",
        "é",
        "🎉",
        "JOIN t ON ",
        "CREATE TABLE t ",
        "BEGIN ",
        "END ",
        "CASE ",
        "\\",
        "[a]",
        "0x",
        ".5",
    ] {
        check(&unit.repeat(MIB / 8 / unit.len()));
    }
}

/// Texts made of SQL's most troublesome characters and words, many times over.
#[test]
fn random_sql_like_texts() {
    const PIECES: &[&str] = &[
        "'",
        "''",
        "\"",
        "`",
        "[",
        "]",
        "(",
        ")",
        "$",
        "$$",
        "$a$",
        "\\",
        "\\'",
        "E'",
        "N'",
        "X'",
        "B'",
        "U&'",
        "_utf8'",
        "--",
        "/*",
        "*/",
        "#",
        "#>",
        "\n",
        " ",
        ",",
        ";",
        ".",
        ":",
        "::",
        "?",
        "?1",
        "$1",
        ":x",
        "@x",
        "@@x",
        "-",
        "+",
        "1",
        "1.5",
        ".5",
        "1e5",
        "0x1F",
        "TRUE",
        "false",
        "NULL",
        "IN",
        "in (",
        "SELECT",
        "FROM",
        "JOIN",
        "WHERE",
        "INSERT INTO",
        "UPDATE",
        "SET",
        "DELETE",
        "WITH",
        "AS",
        "ARRAY",
        "CREATE TABLE",
        "DROP",
        "BEGIN",
        "END",
        "CASE",
        "t",
        "x",
        "é",
        "日本",
        "🎉",
        "\u{301}",
        "{",
        "}",
    ];
    let mut rng = Rng(42);
    for _ in 0..20_000 {
        let len = rng.below(24);
        let text: String = (0..len)
            .map(|_| PIECES[rng.below(PIECES.len())])
            .collect::<Vec<_>>()
            .join(if rng.below(2) == 0 { "" } else { " " });
        check(&text);
    }
}

#[test]
fn nothing_to_replace_borrows() {
    let sql = "SELECT * FROM orders WHERE id = $1 AND customer = :customer";
    assert!(matches!(sanitize(sql), Cow::Borrowed(s) if s == sql));
    assert!(matches!(sanitize(""), Cow::Borrowed("")));
}
