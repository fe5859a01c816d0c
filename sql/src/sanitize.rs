//! Redaction of `db.query.text`: literals become `?`, comments go, lists of literals after
//! `IN` collapse to `(?)`; everything else is copied byte for byte.

use std::borrow::Cow;

use crate::keywords::Keyword;
use crate::lexer::{Kind, Lexer, Token};

/// Sanitises `sql`, reading plain strings with or without backslash escapes.
pub(crate) fn sanitize(sql: &str, backslash_escapes: bool) -> Cow<'_, str> {
    let mut lexer = Lexer::with_backslash_escapes(sql, backslash_escapes);
    let mut out = Output::new(sql);
    let mut after_in = false;
    while let Some(token) = lexer.next() {
        match token.kind {
            kind if kind.is_literal() => out.replace(token.start, token.end, "?"),
            Kind::Comment => out.remove_comment(token.start, token.end),
            Kind::Punct(b'(') if after_in => {
                if let Some((end, rest)) = literal_list(&lexer) {
                    out.replace(token.start, end, "(?)");
                    lexer = rest;
                }
            }
            _ => {}
        }
        if token.kind.is_significant() {
            after_in = token.kind == Kind::Word(Keyword::In);
        }
    }
    out.finish()
}

/// Whether `sql` has a bind placeholder outside literals and comments.
pub(crate) fn has_placeholder(sql: &str) -> bool {
    Lexer::new(sql).any(|token| token.kind == Kind::Placeholder)
}

/// Looks past the `(` of `IN (` for literals separated by commas up to `)`: the end of the
/// list and the lexer after it, or `None` if anything else (a placeholder, an expression,
/// a subquery, the end of the text) is in it.
///
/// The tokens looked at here are only ever literals, commas, whitespace and comments, none
/// of which starts another list, so a failed look is read at most once more: linear.
fn literal_list<'a>(lexer: &Lexer<'a>) -> Option<(usize, Lexer<'a>)> {
    let mut ahead = lexer.clone();
    loop {
        let value = next_significant(&mut ahead)?;
        if !value.kind.is_literal() {
            return None;
        }
        let separator = next_significant(&mut ahead)?;
        match separator.kind {
            Kind::Punct(b',') => {}
            Kind::Punct(b')') => return Some((separator.end, ahead)),
            _ => return None,
        }
    }
}

fn next_significant(lexer: &mut Lexer<'_>) -> Option<Token> {
    lexer.find(|token| token.kind.is_significant())
}

/// The sanitised text, copied from the original only once something changes.
struct Output<'a> {
    src: &'a str,
    out: Option<String>,
    /// The original up to here is already in `out`.
    copied: usize,
}

impl<'a> Output<'a> {
    fn new(src: &'a str) -> Self {
        Output {
            src,
            out: None,
            copied: 0,
        }
    }

    fn replace(&mut self, start: usize, end: usize, with: &str) {
        let capacity = self.src.len();
        let out = self
            .out
            .get_or_insert_with(|| String::with_capacity(capacity));
        out.push_str(self.src.get(self.copied..start).unwrap_or(""));
        out.push_str(with);
        self.copied = end;
    }

    /// The byte the output ends with once the original up to `start` is in it.
    fn last_byte_before(&self, start: usize) -> u8 {
        if start > self.copied {
            return self.src.as_bytes().get(start - 1).copied().unwrap_or(0);
        }
        self.out
            .as_ref()
            .and_then(|out| out.as_bytes().last().copied())
            .unwrap_or(0)
    }

    /// Drops a comment, leaving one space where it separated two tokens (`a/**/b`) so that
    /// they do not run together, or turn into a new comment (`-/**/-`).
    fn remove_comment(&mut self, start: usize, end: usize) {
        let before = self.last_byte_before(start);
        let after = self.src.as_bytes().get(end).copied().unwrap_or(0);
        let separates = before != 0 && after != 0 && !is_space(before) && !is_space(after);
        self.replace(start, end, if separates { " " } else { "" });
    }

    fn finish(self) -> Cow<'a, str> {
        match self.out {
            None => Cow::Borrowed(self.src),
            Some(mut out) => {
                out.push_str(self.src.get(self.copied..).unwrap_or(""));
                Cow::Owned(out)
            }
        }
    }
}

fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace() || b == 0x0b
}
