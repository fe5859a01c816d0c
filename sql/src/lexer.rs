//! Splits SQL text into tokens, for PostgreSQL, MySQL/MariaDB and SQLite at once.
//!
//! The lexer works on bytes but only ever stops on an ASCII byte or at the end of the text,
//! so every token boundary is a `char` boundary: UTF-8 never uses ASCII bytes inside a
//! multi-byte character. Bytes at or above `0x80` are identifier characters, as they are in
//! all three dialects. It never allocates, never looks back more than one byte, and every
//! token is found in time linear in its length (dollar-quote closing tags are found with
//! `str::find`, which is linear), so lexing a whole text is linear.
//!
//! Where the dialects disagree, the choice is the one that redacts more:
//! - `'...'`: `''` always escapes a quote. Whether a backslash does (MySQL) or not
//!   (PostgreSQL, SQLite) is decided once per text by [`backslash_escapes`].
//! - `"..."` is an identifier (PostgreSQL, SQLite, ANSI MySQL), `` `...` `` too (MySQL,
//!   SQLite), `[...]` too when it cannot be an array subscript (SQLite, SQL Server). An
//!   unterminated quoted identifier is a literal: the text after it cannot be trusted.
//! - `#` starts a comment (MySQL) unless an operator or a name follows it (PostgreSQL `#>`,
//!   `#-`, SQL Server `#temp`).

use crate::keywords::Keyword;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// ASCII whitespace.
    Space,
    /// `-- ...`, `# ...` or `/* ... */` (nested as PostgreSQL nests them).
    Comment,
    /// An unquoted identifier or keyword, or a MySQL `@@system_variable`.
    Word(Keyword),
    /// `"..."`, `` `...` `` or `[...]`.
    QuotedIdent,
    /// A quoted literal: `'...'`, `E'...'`, `N'...'`, `B'...'`, `X'...'`, `U&'...'`,
    /// `_charset'...'`, `$$...$$`, `$tag$...$tag$`; also anything left unterminated.
    String,
    /// A numeric literal, with its sign when the sign is unary; includes `0x1F`-style hex.
    Number,
    /// `TRUE` or `FALSE`.
    Boolean,
    /// A bind parameter: `?`, `?1`, `$1`, `:name`, `:1`, `@name`, `$name`.
    Placeholder,
    /// Any other single ASCII byte.
    Punct(u8),
}

impl Kind {
    /// A literal value, to be replaced by `?`.
    pub(crate) fn is_literal(self) -> bool {
        matches!(self, Kind::String | Kind::Number | Kind::Boolean)
    }

    /// Anything but whitespace and comments.
    pub(crate) fn is_significant(self) -> bool {
        !matches!(self, Kind::Space | Kind::Comment)
    }
}

/// A token: its kind and its byte range in the text, always on `char` boundaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// False for a string, quoted identifier or block comment that runs to the end of the text.
    pub(crate) terminated: bool,
}

impl Token {
    /// The token's text; empty if the range were ever off a `char` boundary.
    pub(crate) fn text(self, src: &str) -> &str {
        src.get(self.start..self.end).unwrap_or("")
    }
}

/// Longest `[bracketed identifier]` looked for; SQL Server names are at most 128 characters.
const MAX_BRACKETED: usize = 256;

/// An iterator over the tokens of a text.
#[derive(Clone, Debug)]
pub(crate) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    backslash_escapes: bool,
    /// The last significant token, for the few context-dependent decisions.
    prev: Option<Kind>,
    /// A backslash escaped a quote in a plain `'...'` string: the text reads differently
    /// in a dialect without backslash escapes.
    saw_ambiguous_escape: bool,
}

/// Whether backslashes escape in plain `'...'` strings of this text.
///
/// MySQL (by default) says yes, PostgreSQL and SQLite say no, and the text does not say which
/// database it is for. Reading a text in the wrong way shifts which quotes open and close
/// strings, which ends with a string left open at the end of the text. So the text is read
/// the MySQL way, unless that leaves a string open after a backslash escaped a quote while
/// the standard way closes every string. When both ways leave a string open, the MySQL way
/// is kept: its strings are never shorter.
pub(crate) fn backslash_escapes(src: &str) -> bool {
    if !src.as_bytes().contains(&b'\\') {
        return true;
    }
    let mut mysql = Lexer::with_backslash_escapes(src, true);
    let mysql_left_open = mysql.by_ref().last().is_some_and(|t| !t.terminated);
    if !(mysql_left_open && mysql.saw_ambiguous_escape) {
        return true;
    }
    let standard = Lexer::with_backslash_escapes(src, false);
    standard.last().is_some_and(|t| !t.terminated)
}

impl<'a> Lexer<'a> {
    /// A lexer for `src` that decides backslash escaping with [`backslash_escapes`].
    pub(crate) fn new(src: &'a str) -> Self {
        Self::with_backslash_escapes(src, backslash_escapes(src))
    }

    pub(crate) fn with_backslash_escapes(src: &'a str, backslash_escapes: bool) -> Self {
        Lexer {
            src,
            pos: 0,
            backslash_escapes,
            prev: None,
            saw_ambiguous_escape: false,
        }
    }

    fn len(&self) -> usize {
        self.src.len()
    }

    /// The byte at `i`, or 0 past the end.
    fn at(&self, i: usize) -> u8 {
        self.src.as_bytes().get(i).copied().unwrap_or(0)
    }

    /// The byte before `i`, or 0 at the start.
    fn before(&self, i: usize) -> u8 {
        match i.checked_sub(1) {
            Some(j) => self.at(j),
            None => 0,
        }
    }

    /// The first index at or after `from` whose byte does not satisfy `keep`.
    fn scan_while(&self, from: usize, keep: impl Fn(u8) -> bool) -> usize {
        let bytes = self.src.as_bytes();
        let from = from.min(bytes.len());
        bytes
            .get(from..)
            .and_then(|rest| rest.iter().position(|&b| !keep(b)))
            .map_or(bytes.len(), |offset| from + offset)
    }

    /// The byte before `i` ends an operand (a name, a literal, a bracket, a placeholder):
    /// what follows is a subscript, a cast or a qualified name, not a new operand.
    fn follows_operand(&self, i: usize) -> bool {
        let b = self.before(i);
        is_ident_char(b) || matches!(b, b')' | b']' | b'}' | b'"' | b'`' | b'\'' | b'?')
    }

    /// A `-` or `+` here is unary: nothing that could be its left operand comes before it.
    fn sign_is_unary(&self) -> bool {
        match self.prev {
            None => true,
            Some(Kind::Punct(p)) => !matches!(p, b')' | b']' | b'}' | b'.'),
            Some(Kind::Word(keyword)) => keyword.precedes_operand(),
            Some(_) => false,
        }
    }

    fn scan(&mut self, start: usize, first: u8) -> (Kind, usize, bool) {
        let next = self.at(start + 1);
        match first {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => {
                (Kind::Space, self.scan_while(start, is_space), true)
            }
            b'-' if next == b'-' => (Kind::Comment, self.line_end(start), true),
            // `#--` is a comment: were `#` an operator there, removing the `--` comment
            // after it would leave a `#` that the next reading takes for a comment.
            b'#' if !(matches!(next, b'>' | b'?')
                || (next == b'-' && self.at(start + 2) != b'-')
                || is_ident_start(next)) =>
            {
                (Kind::Comment, self.line_end(start), true)
            }
            b'/' if next == b'*' => self.block_comment(start),
            b'\'' => self.string(start, start, self.backslash_escapes),
            b'"' | b'`' => self.quoted_ident(start, first),
            b'[' => match self.bracketed_ident_end(start) {
                Some(end) => (Kind::QuotedIdent, end, true),
                None => (Kind::Punct(first), start + 1, true),
            },
            b'$' => self.dollar(start),
            // `?|` and `?&` are PostgreSQL jsonb operators.
            b'?' if matches!(next, b'|' | b'&') => (Kind::Punct(first), start + 1, true),
            b'?' => (
                Kind::Placeholder,
                self.scan_while(start + 1, |b| b.is_ascii_digit()),
                true,
            ),
            b':' if (is_ident_start(next) || next.is_ascii_digit())
                && !self.follows_operand(start)
                && self.before(start) != b':' =>
            {
                (
                    Kind::Placeholder,
                    self.scan_while(start + 1, is_ident_char),
                    true,
                )
            }
            b'@' if next == b'@' && is_ident_start(self.at(start + 2)) => (
                Kind::Word(Keyword::Other),
                self.scan_while(start + 2, is_ident_char),
                true,
            ),
            b'@' if is_ident_start(next) => (
                Kind::Placeholder,
                self.scan_while(start + 1, is_ident_char),
                true,
            ),
            b'0'..=b'9' => (Kind::Number, self.number_end(start), true),
            b'.' if next.is_ascii_digit() && !self.follows_operand(start) => {
                (Kind::Number, self.number_end(start), true)
            }
            b'-' | b'+'
                if (next.is_ascii_digit()
                    || (next == b'.' && self.at(start + 2).is_ascii_digit()))
                    && self.sign_is_unary() =>
            {
                (Kind::Number, self.number_end(start + 1), true)
            }
            _ if is_ident_start(first) => self.word(start),
            _ => (Kind::Punct(first), start + 1, true),
        }
    }

    fn line_end(&self, start: usize) -> usize {
        self.scan_while(start, |b| b != b'\n' && b != b'\r')
    }

    fn block_comment(&self, start: usize) -> (Kind, usize, bool) {
        let mut depth = 0usize;
        let mut i = start;
        while i < self.len() {
            match (self.at(i), self.at(i + 1)) {
                (b'/', b'*') => {
                    depth += 1;
                    i += 2;
                }
                (b'*', b'/') => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        return (Kind::Comment, i, true);
                    }
                }
                _ => i += 1,
            }
        }
        (Kind::Comment, self.len(), false)
    }

    /// A `'...'` string whose opening quote is at `quote`; the token starts at `start`
    /// (before any `E`/`N`/`X`/`B`/`U&`/`_charset` prefix).
    fn string(&mut self, start: usize, quote: usize, backslash: bool) -> (Kind, usize, bool) {
        let plain = !self.prefix_is_escape_string(start, quote);
        let bytes = self.src.as_bytes();
        let mut i = quote + 1;
        loop {
            let found = bytes.get(i..).and_then(|rest| {
                rest.iter()
                    .position(|&b| b == b'\'' || (backslash && b == b'\\'))
            });
            let Some(offset) = found else {
                return (Kind::String, self.len(), false);
            };
            i += offset;
            if self.at(i) == b'\\' {
                if plain && self.at(i + 1) == b'\'' {
                    self.saw_ambiguous_escape = true;
                }
                i = (i + 2).min(self.len());
            } else if self.at(i + 1) == b'\'' {
                i += 2;
            } else {
                return (Kind::String, i + 1, true);
            }
        }
    }

    /// `E'...'`: backslash escapes in every dialect, so escaping there is not ambiguous.
    fn prefix_is_escape_string(&self, start: usize, quote: usize) -> bool {
        quote == start + 1 && matches!(self.at(start), b'E' | b'e')
    }

    fn quoted_ident(&self, start: usize, quote: u8) -> (Kind, usize, bool) {
        let bytes = self.src.as_bytes();
        let mut i = start + 1;
        loop {
            let found = bytes
                .get(i..)
                .and_then(|rest| rest.iter().position(|&b| b == quote));
            let Some(offset) = found else {
                return (Kind::String, self.len(), false);
            };
            i += offset;
            if self.at(i + 1) == quote {
                i += 2;
            } else {
                return (Kind::QuotedIdent, i + 1, true);
            }
        }
    }

    /// The end of a `[bracketed identifier]` at `start`, if the bracket starts one rather
    /// than a subscript (`arr[1]`, `(f(x))[1]`) or an array (`ARRAY [1, 2]`).
    fn bracketed_ident_end(&self, start: usize) -> Option<usize> {
        let first = self.at(start + 1);
        if self.follows_operand(start)
            || self.prev == Some(Kind::Word(Keyword::Array))
            || !(is_ident_start(first) || first == b'#' || first == b'@')
        {
            return None;
        }
        let limit = (start + 1 + MAX_BRACKETED).min(self.len());
        let mut i = start + 1;
        while i < limit {
            match self.at(i) {
                b']' if self.at(i + 1) == b']' => i += 2,
                b']' => return Some(i + 1),
                b'[' | b'\n' | b'\r' => return None,
                _ => i += 1,
            }
        }
        None
    }

    /// `$1`, `$name` (SQLite), `$$...$$` and `$tag$...$tag$` (PostgreSQL), or a lone `$`.
    fn dollar(&self, start: usize) -> (Kind, usize, bool) {
        let next = self.at(start + 1);
        if next.is_ascii_digit() {
            let end = self.scan_while(start + 1, |b| b.is_ascii_digit());
            return (Kind::Placeholder, end, true);
        }
        let tag_end = if is_ident_start(next) {
            self.scan_while(start + 1, |b| is_ident_start(b) || b.is_ascii_digit())
        } else {
            start + 1
        };
        if self.at(tag_end) == b'$' {
            let body = tag_end + 1;
            let closing = self
                .src
                .get(start..body)
                .zip(self.src.get(body..))
                .and_then(|(delimiter, rest)| Some(body + rest.find(delimiter)? + delimiter.len()));
            return match closing {
                Some(end) => (Kind::String, end, true),
                None => (Kind::String, self.len(), false),
            };
        }
        if tag_end > start + 1 {
            (Kind::Placeholder, tag_end, true)
        } else {
            (Kind::Punct(b'$'), start + 1, true)
        }
    }

    /// The end of a number starting at `start` (a digit, or `.` before a digit): digits
    /// (with PostgreSQL's `_` separators), a fraction, an exponent, then any identifier
    /// characters run into it (`0x1F`, `0b101`, MySQL's `1e3x`-like junk) as part of it.
    ///
    /// A number never ends with a `.` (`5.` is `5` then `.`): every token that can become
    /// `?` must end with a byte that [`Lexer::follows_operand`] accepts, or the tokens after
    /// it would read differently once it is replaced.
    fn number_end(&self, start: usize) -> usize {
        let digits = |b: u8| b.is_ascii_digit() || b == b'_';
        let exponent_at = |i: usize| {
            matches!(self.at(i), b'e' | b'E')
                && (self.at(i + 1).is_ascii_digit()
                    || (matches!(self.at(i + 1), b'+' | b'-') && self.at(i + 2).is_ascii_digit()))
        };
        let mut i = self.scan_while(start, digits);
        if self.at(i) == b'.' && (self.at(i + 1).is_ascii_digit() || exponent_at(i + 1)) {
            i = self.scan_while(i + 1, digits);
        }
        if exponent_at(i) {
            i = self.scan_while(i + 2, digits);
        }
        self.scan_while(i, is_ident_char)
    }

    fn word(&mut self, start: usize) -> (Kind, usize, bool) {
        let end = self.scan_while(start + 1, is_ident_char);
        let text = self.src.get(start..end).unwrap_or("");
        match self.at(end) {
            b'\'' if matches!(text, "E" | "e") => return self.string(start, end, true),
            b'\''
                if matches!(text, "N" | "n" | "B" | "b" | "X" | "x")
                    || (text.len() > 1 && text.starts_with('_')) =>
            {
                return self.string(start, end, self.backslash_escapes);
            }
            b'&' if matches!(text, "U" | "u") && self.at(end + 1) == b'\'' => {
                return self.string(start, end + 1, false);
            }
            _ => {}
        }
        let keyword = Keyword::of(text);
        let qualified = self.prev == Some(Kind::Punct(b'.'));
        if matches!(keyword, Keyword::True | Keyword::False) && !qualified {
            return (Kind::Boolean, end, true);
        }
        (Kind::Word(keyword), end, true)
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let start = self.pos;
        let first = *self.src.as_bytes().get(start)?;
        let (kind, end, terminated) = self.scan(start, first);
        // Every branch consumes at least one byte; this only makes progress self-evident.
        let end = end.clamp(start + 1, self.len());
        self.pos = end;
        if kind.is_significant() {
            self.prev = Some(kind);
        }
        Some(Token {
            kind,
            start,
            end,
            terminated,
        })
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_char(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit() || b == b'$'
}

#[cfg(test)]
mod tests {
    use super::{Kind, Lexer, backslash_escapes};

    fn kinds(sql: &str) -> Vec<(Kind, &str)> {
        Lexer::new(sql)
            .filter(|t| t.kind.is_significant())
            .map(|t| (t.kind, t.text(sql)))
            .collect()
    }

    #[test]
    fn backslash_reading_follows_what_closes_the_strings() {
        // MySQL: the backslash escapes the quote, every string closes.
        assert!(backslash_escapes(r"SELECT 'it\'s', 'x'"));
        // PostgreSQL: read the MySQL way, a string would stay open.
        assert!(!backslash_escapes(r"SELECT 'C:\', 'secret'"));
        // Open either way: the MySQL reading, whose strings are never shorter, is kept.
        assert!(backslash_escapes(r"SELECT 'a\' , 'b"));
    }

    #[test]
    fn token_boundaries_fall_on_char_boundaries() {
        let sql = "SELECT 'é\\'ü' , \"ß\" FROM tä WHERE x = $ü$ ö $ü$";
        for token in Lexer::new(sql) {
            assert!(sql.is_char_boundary(token.start) && sql.is_char_boundary(token.end));
        }
    }

    #[test]
    fn signs_are_unary_only_without_a_left_operand() {
        assert_eq!(
            kinds("a-1"),
            [
                (Kind::Word(crate::keywords::Keyword::Other), "a"),
                (Kind::Punct(b'-'), "-"),
                (Kind::Number, "1")
            ]
        );
        assert_eq!(kinds("= -1")[1], (Kind::Number, "-1"));
    }
}
