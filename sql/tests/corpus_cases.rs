//! Every corpus statement gives exactly its expected analysis.

mod corpus;

use traced_sql::{Analysis, analyze};

#[test]
fn corpus_has_at_least_200_statements() {
    assert!(corpus::CORPUS.len() >= 200, "{}", corpus::CORPUS.len());
}

#[test]
fn each_statement_gives_its_expected_analysis() {
    let mut failures = Vec::new();
    for case in corpus::CORPUS {
        let input = case.input();
        let actual = analyze(&input);
        // One operation (and one target) is read off the summary: exactly that, or nothing.
        let consistent = match (&actual.operation, &actual.collection, &actual.summary) {
            (Some(op), Some(target), Some(summary)) => *summary == format!("{op} {target}"),
            (Some(op), None, Some(summary)) => summary.starts_with(op.as_str()),
            (None, None, _) => true,
            _ => false,
        };
        let expected = Analysis {
            sanitized: case.sanitized.to_owned(),
            operation: actual.operation.clone(),
            collection: actual.collection.clone(),
            summary: case.summary.map(str::to_owned),
        };
        if actual != expected || !consistent {
            failures.push(format!(
                "input:    {input:?}\nexpected: {expected:?}\nactual:   {actual:?}\n"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} statements differ:\n\n{}",
        failures.len(),
        corpus::CORPUS.len(),
        failures.join("\n")
    );
}

#[test]
fn operation_and_collection_only_when_there_is_one_of_each() {
    let cases: [(&str, Option<&str>, Option<&str>); 8] = [
        (
            "SELECT * FROM orders WHERE id = $1",
            Some("SELECT"),
            Some("orders"),
        ),
        (
            "INSERT INTO orders (id) VALUES (?)",
            Some("INSERT"),
            Some("orders"),
        ),
        (
            "UPDATE public.orders SET total = 1",
            Some("UPDATE"),
            Some("public.orders"),
        ),
        (
            "DELETE FROM orders WHERE id = 1",
            Some("DELETE"),
            Some("orders"),
        ),
        (
            "CREATE TABLE orders (id INT)",
            Some("CREATE TABLE"),
            Some("orders"),
        ),
        (
            "SELECT * FROM orders o JOIN customers c ON c.id = o.customer",
            Some("SELECT"),
            None,
        ),
        ("INSERT INTO archive SELECT * FROM orders", None, None),
        ("SELECT 1; SELECT 2", None, None),
    ];
    for (sql, operation, collection) in cases {
        let analysis = analyze(sql);
        assert_eq!(analysis.operation.as_deref(), operation, "{sql}");
        assert_eq!(analysis.collection.as_deref(), collection, "{sql}");
    }
}
