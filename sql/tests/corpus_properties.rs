//! Properties that hold for every corpus statement, checked against the markers in the
//! corpus rather than against the expected texts.

mod corpus;

use traced_sql::{analyze, is_parameterized, sanitize};

/// Runs `check` on every statement and reports all failures at once.
fn for_each_case(check: impl Fn(&corpus::Case, &str, &str) -> Result<(), String>) {
    let failures: Vec<String> = corpus::CORPUS
        .iter()
        .filter_map(|case| {
            let input = case.input();
            let output = sanitize(&input);
            check(case, &input, &output)
                .err()
                .map(|why| format!("{input:?}\n  -> {output:?}\n  {why}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Characters that continue a name, number or placeholder.
fn continues_token(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Occurrences of `needle` in `haystack` that are whole tokens.
fn token_count(haystack: &str, needle: &str) -> usize {
    haystack
        .match_indices(needle)
        .filter(|&(at, _)| {
            let before = haystack[..at].chars().next_back();
            let after = haystack[at + needle.len()..].chars().next();
            let joined_before =
                before.is_some_and(|c| continues_token(c) || matches!(c, ':' | '@' | '?' | '.'));
            let joined_after = after.is_some_and(continues_token);
            // PostgreSQL's jsonb operators `?|` and `?&` are not placeholders.
            let operator = needle == "?" && matches!(after, Some('|' | '&'));
            !(joined_before || joined_after || operator)
        })
        .count()
}

#[test]
fn no_marked_literal_survives() {
    for_each_case(|case, _, output| {
        for literal in case.literals() {
            if token_count(output, literal) > 0 {
                return Err(format!("literal {literal:?} is still there"));
            }
            // Every word of three or more characters inside a quoted literal is gone too
            // (a bare `true` or `42` is a word of its own, checked as a token above).
            let words = literal
                .split(|c: char| !c.is_alphanumeric())
                .filter(|word| word.chars().count() >= 3 && *word != literal);
            for word in words {
                if output.contains(word) {
                    return Err(format!("{word:?} of literal {literal:?} is still there"));
                }
            }
        }
        Ok(())
    });
}

#[test]
fn every_placeholder_is_kept_as_often_as_it_was_written() {
    for_each_case(|case, _, output| {
        let placeholders = case.placeholders();
        let mut distinct = placeholders.clone();
        distinct.sort_unstable();
        distinct.dedup();
        for placeholder in distinct {
            let written = placeholders.iter().filter(|p| **p == placeholder).count();
            let kept = token_count(output, placeholder);
            // Literals become `?` too: there may be more of those, one per literal at most.
            let allowed = if placeholder == "?" {
                written..=written + case.literals().len()
            } else {
                written..=written
            };
            if !allowed.contains(&kept) {
                return Err(format!(
                    "{placeholder:?} written {written} times, kept {kept} times"
                ));
            }
        }
        Ok(())
    });
}

#[test]
fn only_placeholders_make_a_statement_parameterized() {
    for_each_case(|case, input, _| {
        let marked = !case.placeholders().is_empty();
        if is_parameterized(input) == marked {
            Ok(())
        } else {
            Err(format!("is_parameterized is {}", !marked))
        }
    });
}

#[test]
fn analyze_sanitizes_as_sanitize_does() {
    for_each_case(|_, input, output| {
        let analysis = analyze(input);
        if analysis.sanitized == output {
            Ok(())
        } else {
            Err(format!("analyze gives {:?}", analysis.sanitized))
        }
    });
}

#[test]
fn sanitizing_is_idempotent() {
    for_each_case(|_, _, output| {
        let again = sanitize(output);
        if again == output {
            Ok(())
        } else {
            Err(format!("sanitized again: {again:?}"))
        }
    });
}

#[test]
fn sanitizing_never_lengthens_and_borrows_when_nothing_changes() {
    for_each_case(|_, input, output| {
        let borrowed = matches!(sanitize(input), std::borrow::Cow::Borrowed(_));
        if output.len() > input.len() {
            Err("longer than the input".to_owned())
        } else if borrowed != (output == input) {
            Err(format!("borrowed: {borrowed}"))
        } else {
            Ok(())
        }
    });
}

#[test]
fn summaries_are_short_and_operation_and_collection_are_single() {
    for_each_case(|_, input, _| {
        let analysis = analyze(input);
        let summary_chars = analysis.summary.as_deref().map_or(0, |s| s.chars().count());
        if summary_chars > 255 {
            Err(format!("summary of {summary_chars} characters"))
        } else if analysis.collection.is_some() && analysis.operation.is_none() {
            Err("a collection without its operation".to_owned())
        } else if analysis.operation.is_some() && analysis.summary.is_none() {
            Err("an operation without a summary".to_owned())
        } else {
            Ok(())
        }
    });
}

#[test]
fn the_markers_give_the_properties_something_to_check() {
    let literals: usize = corpus::CORPUS.iter().map(|c| c.literals().len()).sum();
    let placeholders: usize = corpus::CORPUS.iter().map(|c| c.placeholders().len()).sum();
    assert!(literals >= 300, "{literals} literals");
    assert!(placeholders >= 100, "{placeholders} placeholders");
}
