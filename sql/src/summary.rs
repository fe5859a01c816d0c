//! `db.query.summary`: the operations of a text and their targets, in the order it gives them.
//!
//! One pass over the tokens, no recursion: nesting is a depth counter plus two bit sets for
//! the first [`TRACKED_DEPTH`] levels (deeper levels are still counted, only their `FROM`
//! clauses are no longer recognised). Statements are split on `;`, except inside the
//! `BEGIN ... END` body of a `CREATE TRIGGER`/`FUNCTION`/`PROCEDURE`.

use crate::keywords::Keyword as K;
use crate::lexer::{Kind, Lexer, Token};

/// "Instrumentations that parse the query to set `db.query.summary` SHOULD truncate the
/// summary to 255 characters (ensuring truncation does not occur within an operation name
/// or target)."
const MAX_CHARS: usize = 255;

/// Common table expression names remembered per statement; more are summarised as tables.
const MAX_CTES: usize = 16;

/// Parenthesis levels whose kind (query or expression) and `FROM` list are tracked.
const TRACKED_DEPTH: usize = 128;

/// Tokens looked through between `CREATE`/`ALTER`/`DROP` and the object type.
const MAX_DDL_MODIFIERS: usize = 16;

/// The summary of `sql`, or `None` if a statement starts with something that is not a
/// known SQL command.
/// A summary, with the operation and the target when there is exactly one of each (a
/// single operation is what `db.operation.name` may describe, one table what
/// `db.collection.name` may).
#[derive(Debug, Default)]
pub(crate) struct Summary {
    pub(crate) text: Option<String>,
    pub(crate) operation: Option<String>,
    pub(crate) collection: Option<String>,
}

pub(crate) fn summarize(sql: &str, backslash_escapes: bool) -> Summary {
    Summarizer {
        src: sql,
        cursor: Cursor {
            lexer: Lexer::with_backslash_escapes(sql, backslash_escapes),
            peeked: None,
        },
        parts: Parts::default(),
        st: Statement::default(),
    }
    .run()
}

/// The significant tokens, with one token of look-ahead.
struct Cursor<'a> {
    lexer: Lexer<'a>,
    peeked: Option<Token>,
}

impl Cursor<'_> {
    fn next(&mut self) -> Option<Token> {
        match self.peeked.take() {
            Some(token) => Some(token),
            None => self.lexer.find(|t| t.kind.is_significant()),
        }
    }

    fn peek(&mut self) -> Option<Token> {
        if self.peeked.is_none() {
            self.peeked = self.lexer.find(|t| t.kind.is_significant());
        }
        self.peeked
    }

    fn peek_is(&mut self, kind: Kind) -> bool {
        self.peek().is_some_and(|t| t.kind == kind)
    }
}

/// The summary being built, whole parts only, at most [`MAX_CHARS`] characters.
#[derive(Default)]
struct Parts {
    text: String,
    chars: usize,
    full: bool,
    /// The operations and targets seen, and the first of each.
    operations: usize,
    targets: usize,
    first_operation: Option<String>,
    first_target: Option<String>,
}

impl Parts {
    /// An operation (`SELECT`).
    fn push(&mut self, part: &str) {
        self.push_words(&[part]);
    }

    /// A target (a table, a procedure).
    fn push_target(&mut self, part: &str) {
        self.targets += 1;
        if self.first_target.is_none() {
            self.first_target = Some(part.to_owned());
        }
        self.push_part(&[part]);
    }

    /// An operation of one or more words (`CREATE TABLE`).
    fn push_words(&mut self, words: &[&str]) {
        self.operations += 1;
        if self.first_operation.is_none() {
            self.first_operation = Some(words.join(" "));
        }
        self.push_part(words);
    }

    /// One part made of several words, joined by single spaces (`CREATE TABLE`).
    fn push_part(&mut self, words: &[&str]) {
        if self.full {
            return;
        }
        let separator = usize::from(!self.text.is_empty());
        let chars =
            words.iter().map(|w| w.chars().count()).sum::<usize>() + words.len().saturating_sub(1);
        if self.chars + separator + chars > MAX_CHARS {
            // Later parts must not skip over this one: the order is part of the summary.
            self.full = true;
            return;
        }
        for (i, word) in words.iter().enumerate() {
            if i > 0 || separator == 1 {
                self.text.push(' ');
            }
            self.text.push_str(word);
        }
        self.chars += separator + chars;
    }
}

/// One bit per parenthesis level.
#[derive(Clone, Copy, Default)]
struct DepthBits(u128);

impl DepthBits {
    fn get(self, depth: usize) -> bool {
        depth < TRACKED_DEPTH && (self.0 >> depth) & 1 == 1
    }

    fn set(&mut self, depth: usize, value: bool) {
        if depth < TRACKED_DEPTH {
            if value {
                self.0 |= 1 << depth;
            } else {
                self.0 &= !(1 << depth);
            }
        }
    }
}

/// What the next name is, if it is a target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Expect {
    #[default]
    Nothing,
    /// After `INSERT`/`REPLACE`/`UPSERT`: modifiers, then `INTO` or the table (MySQL).
    InsertTable,
    /// After `INTO` of `INSERT` or `MERGE`: the table, even if a column list follows.
    IntoTable,
    /// After `UPDATE`: modifiers, then the table.
    UpdateTable,
    /// After `DELETE`: modifiers, then `FROM`; the names of a MySQL multi-table `DELETE`
    /// before its `FROM` only repeat tables or aliases of the `FROM`, and are skipped.
    DeleteFrom,
    /// After `MERGE`: `INTO` or the table.
    MergeTable,
    /// After `FROM`, `JOIN`, `USING`, `APPLY` or a comma between tables: a table, unless a
    /// `(` follows the name (a table function) or it is a common table expression.
    FromTable,
}

/// Where a `WITH` clause of common table expressions is, at depth 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Cte {
    /// Not in a `WITH` clause.
    #[default]
    Outside,
    /// After `WITH [RECURSIVE]` or a comma: the name.
    Name,
    /// After the name: an optional column list, then `AS`.
    AfterName,
    /// After `AS`: `[NOT] MATERIALIZED`, then `(`.
    AfterAs,
    /// Inside the parentheses of the body.
    Body,
    /// After the body: a comma and another one, or the statement.
    AfterBody,
}

/// What is known about the statement being read.
#[derive(Default)]
struct Statement {
    depth: usize,
    /// The parenthesis at this depth holds a query (its `FROM` names tables), not an
    /// expression (`EXTRACT(YEAR FROM x)`, `SUBSTRING(s FROM 2)`).
    query: DepthBits,
    /// A `FROM` (or multi-table `UPDATE`) list is open at this depth: a comma adds a table.
    tables: DepthBits,
    /// A `(` was just read; the first token inside decides `query`. True if the `(` came
    /// where a table was expected (`FROM (SELECT ...)`, `FROM (a JOIN b)`).
    pending_paren: Option<bool>,
    expect: Expect,
    cte: Cte,
    /// `WITH RECURSIVE`: a name is in scope in its own body.
    cte_recursive: bool,
    /// The name whose body is being read; in a non-recursive body, the name still means
    /// the table (`WITH orders AS (SELECT * FROM orders WHERE ...)`).
    cte_pending: Option<(usize, usize)>,
    cte_names: [(usize, usize); MAX_CTES],
    cte_count: usize,
    /// The previous significant token of the statement.
    prev: Option<Token>,
    /// An INSERT/UPDATE/DELETE/MERGE/SELECT of this statement was seen.
    main_seen: bool,
}

impl Statement {
    fn new() -> Self {
        let mut statement = Statement::default();
        statement.query.set(0, true);
        statement
    }
}

struct Summarizer<'a> {
    src: &'a str,
    cursor: Cursor<'a>,
    parts: Parts,
    st: Statement,
}

impl<'a> Summarizer<'a> {
    fn run(mut self) -> Summary {
        'statements: loop {
            self.st = Statement::new();
            let (first, keyword) = loop {
                let Some(token) = self.cursor.next() else {
                    break 'statements;
                };
                match token.kind {
                    Kind::Word(keyword) => break (token, keyword),
                    Kind::Punct(b';') => self.st = Statement::new(),
                    // JDBC escapes (`{call p}`) and parenthesised queries.
                    Kind::Punct(b'{' | b'}') => {}
                    Kind::Punct(b'(') => {
                        self.st.depth = self.st.depth.saturating_add(1);
                        self.st.query.set(self.st.depth, true);
                    }
                    _ => return Summary::default(),
                }
            };
            if !self.statement(first, keyword) {
                return Summary::default();
            }
        }
        let parts = self.parts;
        let single = parts.operations == 1 && !parts.full;
        Summary {
            operation: single.then_some(parts.first_operation).flatten(),
            collection: (single && parts.targets == 1)
                .then_some(parts.first_target)
                .flatten(),
            text: (!parts.text.is_empty()).then_some(parts.text),
        }
    }

    fn text(&self, token: Token) -> &'a str {
        token.text(self.src)
    }

    /// Reads one statement from its first word to its `;` or the end of the text; false if
    /// the first word starts no statement this crate knows.
    fn statement(&mut self, first: Token, keyword: K) -> bool {
        let top = self.st.depth == 0;
        match keyword {
            K::Select | K::With | K::Values => self.query_statement(first, keyword),
            K::Insert
            | K::Update
            | K::Delete
            | K::Merge
            | K::Replace
            | K::Upsert
            | K::Table
            | K::Call
            | K::Exec
            | K::Execute
            | K::Explain
                if top =>
            {
                self.query_statement(first, keyword)
            }
            K::Create | K::Alter | K::Drop | K::Truncate | K::Rename if top => {
                self.definition_statement(first, keyword)
            }
            K::Start if top => {
                let transaction = self
                    .cursor
                    .peek()
                    .filter(|t| self.text(*t).eq_ignore_ascii_case("TRANSACTION"));
                match transaction {
                    Some(second) => {
                        self.cursor.next();
                        let words = [self.text(first), self.text(second)];
                        self.parts.push_words(&words);
                    }
                    None => self.parts.push(first.text(self.src)),
                }
                self.skip_statement(false);
            }
            _ if top && keyword.is_simple_command() => {
                self.parts.push(first.text(self.src));
                self.skip_statement(false);
            }
            _ => return false,
        }
        true
    }

    /// Queries and data manipulation: every operation and table is summarised.
    fn query_statement(&mut self, first: Token, keyword: K) {
        match keyword {
            K::Call | K::Exec | K::Execute | K::Table => {
                self.parts.push(first.text(self.src));
                if let Some(name) = self.cursor.peek().filter(|t| is_name(t.kind)) {
                    self.cursor.next();
                    let (start, end) = self.qualified_name(name);
                    self.parts
                        .push_target(self.src.get(start..end).unwrap_or(""));
                }
                self.skip_statement(false);
                return;
            }
            K::With => self.st.cte = Cte::Name,
            K::Replace | K::Upsert => {
                self.parts.push(first.text(self.src));
                self.st.main_seen = true;
                self.st.expect = Expect::InsertTable;
            }
            K::Values | K::Explain => self.parts.push(first.text(self.src)),
            _ => self.token(first),
        }
        self.st.prev = Some(first);
        while let Some(token) = self.cursor.next() {
            if token.kind == Kind::Punct(b';') {
                return;
            }
            self.token(token);
            self.st.prev = Some(token);
        }
    }

    fn token(&mut self, token: Token) {
        if let Some(expecting_table) = self.st.pending_paren.take() {
            let query = expecting_table
                || matches!(
                    token.kind,
                    Kind::Word(K::Select | K::With | K::Values | K::Insert | K::Update | K::Delete)
                );
            self.st.query.set(self.st.depth, query);
        }
        if self.st.depth == 0 && self.cte_header(token) {
            return;
        }
        match token.kind {
            Kind::Punct(b'(') => self.open_paren(),
            Kind::Punct(b')') => self.close_paren(),
            Kind::Punct(b',') => self.comma(),
            Kind::Word(keyword) => self.word(token, keyword),
            Kind::QuotedIdent if self.st.expect != Expect::Nothing => self.target(token),
            // `SELECT * FROM "song list", 'artists'` is summarised as
            // `SELECT "song list" 'artists'` (SQLite takes 'artists' as a name there).
            Kind::String
                if self.st.expect == Expect::FromTable
                    && token.terminated
                    && self.text(token).starts_with('\'') =>
            {
                self.target(token)
            }
            _ => self.st.expect = Expect::Nothing,
        }
    }

    /// `WITH [RECURSIVE] name [(columns)] AS [[NOT] MATERIALIZED] (body) [, ...]`: true if
    /// the token belonged to the header (the body is read as any other query).
    fn cte_header(&mut self, token: Token) -> bool {
        match (self.st.cte, token.kind) {
            (Cte::Name, Kind::Word(K::Recursive)) => {
                self.st.cte_recursive = true;
                true
            }
            (Cte::Name, Kind::Word(_) | Kind::QuotedIdent) => {
                let name = (token.start, token.end);
                if self.st.cte_recursive {
                    self.remember_cte(name);
                } else {
                    self.st.cte_pending = Some(name);
                }
                self.st.cte = Cte::AfterName;
                true
            }
            (Cte::AfterName, Kind::Word(K::As)) => {
                self.st.cte = Cte::AfterAs;
                true
            }
            (Cte::AfterName | Cte::AfterAs, Kind::Punct(b'(')) => false,
            (Cte::AfterName | Cte::AfterAs, _) => true,
            (Cte::AfterBody, Kind::Punct(b',')) => {
                self.st.cte = Cte::Name;
                true
            }
            (Cte::AfterBody, _) => {
                self.st.cte = Cte::Outside;
                false
            }
            _ => false,
        }
    }

    fn open_paren(&mut self) {
        let expecting_table = self.st.expect == Expect::FromTable;
        if self.st.depth == 0 && self.st.cte == Cte::AfterAs {
            self.st.cte = Cte::Body;
        }
        self.st.depth = self.st.depth.saturating_add(1);
        self.st.tables.set(self.st.depth, false);
        self.st.pending_paren = Some(expecting_table);
        if !expecting_table {
            self.st.expect = Expect::Nothing;
        }
    }

    fn close_paren(&mut self) {
        self.st.expect = Expect::Nothing;
        if self.st.depth == 0 {
            return;
        }
        self.st.tables.set(self.st.depth, false);
        self.st.query.set(self.st.depth, false);
        self.st.depth -= 1;
        if self.st.depth == 0 && self.st.cte == Cte::Body {
            self.st.cte = Cte::AfterBody;
            if let Some(name) = self.st.cte_pending.take() {
                self.remember_cte(name);
            }
        }
    }

    fn remember_cte(&mut self, name: (usize, usize)) {
        if let Some(slot) = self.st.cte_names.get_mut(self.st.cte_count) {
            *slot = name;
            self.st.cte_count += 1;
        }
    }

    fn comma(&mut self) {
        self.st.expect = if self.st.expect == Expect::Nothing && self.st.tables.get(self.st.depth) {
            Expect::FromTable
        } else {
            Expect::Nothing
        };
    }

    fn word(&mut self, token: Token, keyword: K) {
        let skip_modifier = match self.st.expect {
            Expect::Nothing | Expect::IntoTable => false,
            Expect::InsertTable if keyword == K::Into => {
                self.st.expect = Expect::IntoTable;
                true
            }
            Expect::MergeTable if keyword == K::Into => {
                self.st.expect = Expect::IntoTable;
                true
            }
            Expect::InsertTable => matches!(
                keyword,
                K::Ignore
                    | K::LowPriority
                    | K::Delayed
                    | K::HighPriority
                    | K::Or
                    | K::Replace
                    | K::Rollback
                    | K::Abort
                    | K::Fail
                    | K::Overwrite
                    | K::Table
            ),
            Expect::UpdateTable => matches!(
                keyword,
                K::LowPriority
                    | K::Ignore
                    | K::Only
                    | K::Or
                    | K::Rollback
                    | K::Abort
                    | K::Replace
                    | K::Fail
            ),
            Expect::DeleteFrom => {
                matches!(keyword, K::LowPriority | K::Quick | K::Ignore) || !keyword.is_clause()
            }
            Expect::MergeTable => false,
            Expect::FromTable => matches!(keyword, K::Only | K::Lateral),
        };
        if skip_modifier {
            return;
        }
        if self.st.expect != Expect::Nothing {
            if !keyword.is_clause() {
                self.target(token);
                return;
            }
            self.st.expect = Expect::Nothing;
        }
        let depth = self.st.depth;
        match keyword {
            K::Select | K::Insert | K::Update | K::Delete | K::Merge
                if !self.follows_clause_word() =>
            {
                self.parts.push(token.text(self.src));
                self.st.main_seen = true;
                self.st.expect = match keyword {
                    K::Insert => Expect::InsertTable,
                    K::Update => Expect::UpdateTable,
                    K::Delete => Expect::DeleteFrom,
                    K::Merge => Expect::MergeTable,
                    _ => Expect::Nothing,
                };
                self.st.tables.set(depth, false);
            }
            // `EXPLAIN WITH ...`
            K::With if depth == 0 && !self.st.main_seen && self.st.cte == Cte::Outside => {
                self.st.cte = Cte::Name;
            }
            K::From => {
                let distinct = self
                    .st
                    .prev
                    .is_some_and(|p| p.kind == Kind::Word(K::Distinct));
                if self.st.query.get(depth) && !distinct {
                    self.st.expect = Expect::FromTable;
                    self.st.tables.set(depth, true);
                }
            }
            K::Join | K::StraightJoin | K::Apply => {
                self.st.expect = Expect::FromTable;
                self.st.tables.set(depth, true);
            }
            // `DELETE ... USING t`, `MERGE ... USING t`, not `JOIN ... USING (column)`.
            K::Using if !self.cursor.peek_is(Kind::Punct(b'(')) => {
                self.st.expect = Expect::FromTable;
            }
            _ if keyword.ends_table_list() => self.st.tables.set(depth, false),
            _ => {}
        }
    }

    /// The previous word makes an `INSERT`/`UPDATE`/`DELETE`/`SELECT` part of a clause
    /// (`FOR UPDATE`, `DO UPDATE`, `ON DELETE`, ...), or it is the column of a qualified name.
    fn follows_clause_word(&self) -> bool {
        match self.st.prev.map(|p| p.kind) {
            Some(Kind::Word(keyword)) => keyword.makes_next_operation_a_clause(),
            Some(Kind::Punct(b'.')) => true,
            _ => false,
        }
    }

    /// A name where a target was expected.
    fn target(&mut self, first: Token) {
        let expected = std::mem::take(&mut self.st.expect);
        let (start, end) = self.qualified_name(first);
        let is_function = self.cursor.peek_is(Kind::Punct(b'('));
        match expected {
            Expect::DeleteFrom | Expect::Nothing => return,
            Expect::FromTable if is_function => return,
            _ => {}
        }
        let name = self.src.get(start..end).unwrap_or("");
        if self.is_cte(name) {
            return;
        }
        self.parts.push_target(name);
        if expected == Expect::UpdateTable {
            // MySQL's `UPDATE a, b SET ...`.
            self.st.tables.set(self.st.depth, true);
        }
    }

    fn is_cte(&self, name: &str) -> bool {
        self.st
            .cte_names
            .iter()
            .take(self.st.cte_count)
            .any(|&(start, end)| {
                self.src
                    .get(start..end)
                    .is_some_and(|cte| cte.eq_ignore_ascii_case(name))
            })
    }

    /// `name`, `schema.name`, `"a"."b"`, `` `db`.`t` ``, `[dbo].[t]`: the dots must touch
    /// the parts. Returns the byte range, as written.
    fn qualified_name(&mut self, first: Token) -> (usize, usize) {
        let mut end = first.end;
        while let Some(dot) = self.cursor.peek() {
            if dot.kind != Kind::Punct(b'.') || dot.start != end {
                break;
            }
            self.cursor.next();
            match self.cursor.peek() {
                Some(part) if part.start == dot.end && is_name(part.kind) => {
                    self.cursor.next();
                    end = part.end;
                }
                _ => break,
            }
        }
        (first.start, end)
    }

    /// `CREATE`/`ALTER`/`DROP`/`RENAME` `[modifiers] TYPE [IF [NOT] EXISTS] name`, and
    /// `TRUNCATE [TABLE] name[, ...]`: the verb and type, then the object, except for users
    /// and roles, whose names can identify people.
    fn definition_statement(&mut self, verb: Token, keyword: K) {
        if keyword == K::Truncate {
            match self
                .cursor
                .peek()
                .filter(|t| t.kind == Kind::Word(K::Table))
            {
                Some(table) => {
                    self.cursor.next();
                    let words = [self.text(verb), self.text(table)];
                    self.parts.push_words(&words);
                }
                None => self.parts.push(verb.text(self.src)),
            }
            self.definition_names(true);
            self.skip_statement(false);
            return;
        }
        let mut materialized = None;
        let mut object = None;
        for _ in 0..MAX_DDL_MODIFIERS {
            let Some(token) = self.cursor.peek() else {
                break;
            };
            match token.kind {
                Kind::Word(kind) if kind.is_object_type() => {
                    self.cursor.next();
                    object = Some((token, kind));
                    break;
                }
                Kind::Word(K::Materialized) => materialized = Some(token),
                Kind::Punct(b';' | b'(') => break,
                _ => {}
            }
            self.cursor.next();
        }
        let Some((object, kind)) = object else {
            self.parts.push(verb.text(self.src));
            self.skip_statement(true);
            return;
        };
        match materialized {
            Some(materialized) => {
                let words = [self.text(verb), self.text(materialized), self.text(object)];
                self.parts.push_words(&words);
            }
            None => {
                let words = [self.text(verb), self.text(object)];
                self.parts.push_words(&words);
            }
        }
        if !kind.is_principal() {
            while let Some(token) = self.cursor.peek() {
                match token.kind {
                    Kind::Word(K::If | K::Not | K::Exists | K::Concurrently | K::Only) => {
                        self.cursor.next();
                    }
                    // PostgreSQL's unnamed `CREATE INDEX ON table`: the table instead.
                    Kind::Word(K::On) if kind == K::Index => {
                        self.cursor.next();
                    }
                    _ => break,
                }
            }
            self.definition_names(keyword == K::Drop);
        }
        self.skip_statement(true);
    }

    /// The name (or, for a `list`, the comma-separated names) of a definition statement.
    fn definition_names(&mut self, list: bool) {
        while let Some(first) = self.cursor.peek().filter(|t| is_name(t.kind)) {
            self.cursor.next();
            let (start, end) = self.qualified_name(first);
            self.parts
                .push_target(self.src.get(start..end).unwrap_or(""));
            if !(list && self.cursor.peek_is(Kind::Punct(b','))) {
                return;
            }
            self.cursor.next();
        }
    }

    /// Skips to the end of the statement. In a definition `body`, a `;` inside
    /// `BEGIN ... END` (or `CASE ... END`) does not end it.
    fn skip_statement(&mut self, body: bool) {
        let mut blocks = 0usize;
        while let Some(token) = self.cursor.next() {
            match token.kind {
                Kind::Punct(b';') if blocks == 0 => return,
                Kind::Word(K::Begin | K::Case) if body => blocks += 1,
                Kind::Word(K::End) if body => {
                    // MySQL's `END IF`, `END LOOP`, ... close blocks that were not counted.
                    let closes_uncounted = self.cursor.peek().is_some_and(|next| {
                        next.kind == Kind::Word(K::If)
                            || ["LOOP", "WHILE", "REPEAT"]
                                .iter()
                                .any(|w| self.text(next).eq_ignore_ascii_case(w))
                    });
                    if !closes_uncounted {
                        blocks = blocks.saturating_sub(1);
                    }
                }
                _ => {}
            }
        }
    }
}

/// A token that can be (part of) an object name.
fn is_name(kind: Kind) -> bool {
    matches!(kind, Kind::Word(_) | Kind::QuotedIdent)
}
