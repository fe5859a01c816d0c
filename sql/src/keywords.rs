//! The SQL words the lexer and the summariser react to, looked up once per word.
//!
//! Lookup is ASCII case-insensitive and allocation-free: the word is upper-cased into a
//! small stack buffer and matched against literal strings.

macro_rules! keywords {
    ($($name:ident => $text:literal,)*) => {
        /// A word that means something to this crate; [`Keyword::Other`] for any other word.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Keyword {
            Other,
            $($name,)*
        }

        impl Keyword {
            /// Classifies an unquoted word, ignoring ASCII case.
            pub(crate) fn of(word: &str) -> Keyword {
                let bytes = word.as_bytes();
                let mut upper = [0u8; LONGEST];
                let Some(buffer) = upper.get_mut(..bytes.len()) else {
                    return Keyword::Other;
                };
                for (to, from) in buffer.iter_mut().zip(bytes) {
                    *to = from.to_ascii_uppercase();
                }
                match core::str::from_utf8(buffer) {
                    $(Ok($text) => Keyword::$name,)*
                    _ => Keyword::Other,
                }
            }
        }
    };
}

/// No keyword below is longer than this.
const LONGEST: usize = 16;

keywords! {
    // Data manipulation and queries.
    Select => "SELECT",
    Insert => "INSERT",
    Update => "UPDATE",
    Delete => "DELETE",
    Merge => "MERGE",
    Replace => "REPLACE",
    Upsert => "UPSERT",
    With => "WITH",
    Recursive => "RECURSIVE",
    Values => "VALUES",
    Table => "TABLE",
    Call => "CALL",
    Exec => "EXEC",
    Execute => "EXECUTE",
    Explain => "EXPLAIN",
    // Data definition.
    Create => "CREATE",
    Alter => "ALTER",
    Drop => "DROP",
    Truncate => "TRUNCATE",
    Rename => "RENAME",
    // Object types after a data definition verb.
    View => "VIEW",
    Index => "INDEX",
    Sequence => "SEQUENCE",
    Schema => "SCHEMA",
    Database => "DATABASE",
    Function => "FUNCTION",
    Procedure => "PROCEDURE",
    Trigger => "TRIGGER",
    Type => "TYPE",
    Extension => "EXTENSION",
    Role => "ROLE",
    User => "USER",
    Login => "LOGIN",
    Domain => "DOMAIN",
    Event => "EVENT",
    Policy => "POLICY",
    Rule => "RULE",
    Collation => "COLLATION",
    Tablespace => "TABLESPACE",
    Publication => "PUBLICATION",
    Subscription => "SUBSCRIPTION",
    Aggregate => "AGGREGATE",
    Server => "SERVER",
    // Modifiers between a data definition verb and the object type, or before the name.
    Temp => "TEMP",
    Temporary => "TEMPORARY",
    Unlogged => "UNLOGGED",
    Global => "GLOBAL",
    Local => "LOCAL",
    Unique => "UNIQUE",
    Clustered => "CLUSTERED",
    Nonclustered => "NONCLUSTERED",
    Fulltext => "FULLTEXT",
    Spatial => "SPATIAL",
    Materialized => "MATERIALIZED",
    If => "IF",
    Concurrently => "CONCURRENTLY",
    // Modifiers of INSERT, UPDATE and DELETE (MySQL, SQLite, Hive).
    Ignore => "IGNORE",
    LowPriority => "LOW_PRIORITY",
    Delayed => "DELAYED",
    HighPriority => "HIGH_PRIORITY",
    Rollback => "ROLLBACK",
    Abort => "ABORT",
    Fail => "FAIL",
    Overwrite => "OVERWRITE",
    Quick => "QUICK",
    // Clauses.
    From => "FROM",
    Join => "JOIN",
    StraightJoin => "STRAIGHT_JOIN",
    Apply => "APPLY",
    Into => "INTO",
    Using => "USING",
    Only => "ONLY",
    Lateral => "LATERAL",
    As => "AS",
    On => "ON",
    Where => "WHERE",
    Group => "GROUP",
    Order => "ORDER",
    Having => "HAVING",
    Limit => "LIMIT",
    Offset => "OFFSET",
    Fetch => "FETCH",
    For => "FOR",
    Union => "UNION",
    Intersect => "INTERSECT",
    Except => "EXCEPT",
    Minus => "MINUS",
    Set => "SET",
    Returning => "RETURNING",
    Window => "WINDOW",
    When => "WHEN",
    Then => "THEN",
    Else => "ELSE",
    End => "END",
    Case => "CASE",
    Begin => "BEGIN",
    Inner => "INNER",
    Left => "LEFT",
    Right => "RIGHT",
    Full => "FULL",
    Cross => "CROSS",
    Natural => "NATURAL",
    Outer => "OUTER",
    Default => "DEFAULT",
    // Operators and expression words.
    Distinct => "DISTINCT",
    All => "ALL",
    Any => "ANY",
    Some => "SOME",
    Exists => "EXISTS",
    Not => "NOT",
    And => "AND",
    Or => "OR",
    Is => "IS",
    In => "IN",
    Between => "BETWEEN",
    Like => "LIKE",
    Ilike => "ILIKE",
    Similar => "SIMILAR",
    Escape => "ESCAPE",
    Return => "RETURN",
    By => "BY",
    Top => "TOP",
    Interval => "INTERVAL",
    // Words before which an INSERT/UPDATE/DELETE/SELECT is not a statement of its own.
    Key => "KEY",
    Do => "DO",
    Before => "BEFORE",
    After => "AFTER",
    Of => "OF",
    // Literals and literal-like words.
    True => "TRUE",
    False => "FALSE",
    Array => "ARRAY",
    // Statements that are summarised by their first word alone.
    Start => "START",
    Commit => "COMMIT",
    Savepoint => "SAVEPOINT",
    Release => "RELEASE",
    Reset => "RESET",
    Show => "SHOW",
    Use => "USE",
    Pragma => "PRAGMA",
    Vacuum => "VACUUM",
    Analyze => "ANALYZE",
    Analyse => "ANALYSE",
    Reindex => "REINDEX",
    Cluster => "CLUSTER",
    Checkpoint => "CHECKPOINT",
    Lock => "LOCK",
    Unlock => "UNLOCK",
    Grant => "GRANT",
    Revoke => "REVOKE",
    Deny => "DENY",
    Copy => "COPY",
    Listen => "LISTEN",
    Notify => "NOTIFY",
    Unlisten => "UNLISTEN",
    Discard => "DISCARD",
    Prepare => "PREPARE",
    Deallocate => "DEALLOCATE",
    Declare => "DECLARE",
    Move => "MOVE",
    Close => "CLOSE",
    Refresh => "REFRESH",
    Attach => "ATTACH",
    Detach => "DETACH",
    Load => "LOAD",
    Flush => "FLUSH",
    Kill => "KILL",
    Optimize => "OPTIMIZE",
    Repair => "REPAIR",
    Check => "CHECK",
    Describe => "DESCRIBE",
    Desc => "DESC",
    Handler => "HANDLER",
    Comment => "COMMENT",
    Security => "SECURITY",
    Reassign => "REASSIGN",
    Import => "IMPORT",
}

impl Keyword {
    /// After this word a `-` or `+` directly followed by a digit is a sign, not a subtraction.
    pub(crate) fn precedes_operand(self) -> bool {
        use Keyword as K;
        matches!(
            self,
            K::Select
                | K::Where
                | K::And
                | K::Or
                | K::Not
                | K::On
                | K::Set
                | K::Values
                | K::When
                | K::Then
                | K::Else
                | K::Case
                | K::In
                | K::Between
                | K::Like
                | K::Ilike
                | K::Similar
                | K::Escape
                | K::Is
                | K::Limit
                | K::Offset
                | K::Return
                | K::Returning
                | K::Having
                | K::By
                | K::Top
                | K::Default
                | K::Interval
                | K::Distinct
                | K::All
                | K::Any
                | K::Some
                | K::Fetch
                | K::Union
                | K::Intersect
                | K::Except
                | K::Minus
                | K::Exists
        )
    }

    /// A clause or query word: never a table name where one is expected, and it ends the
    /// expectation (`DELETE FROM WHERE` names no table).
    pub(crate) fn is_clause(self) -> bool {
        use Keyword as K;
        matches!(
            self,
            K::Select
                | K::Insert
                | K::Update
                | K::Delete
                | K::Merge
                | K::With
                | K::Values
                | K::From
                | K::Join
                | K::StraightJoin
                | K::Apply
                | K::Into
                | K::Using
                | K::As
                | K::On
                | K::Where
                | K::Group
                | K::Order
                | K::Having
                | K::Limit
                | K::Offset
                | K::Fetch
                | K::For
                | K::Union
                | K::Intersect
                | K::Except
                | K::Minus
                | K::Set
                | K::Returning
                | K::Window
                | K::When
                | K::Then
                | K::Inner
                | K::Left
                | K::Right
                | K::Full
                | K::Cross
                | K::Natural
                | K::Outer
                | K::Default
        )
    }

    /// Closes the list of tables of a `FROM` (or of a multi-table `UPDATE`) at its depth.
    pub(crate) fn ends_table_list(self) -> bool {
        use Keyword as K;
        matches!(
            self,
            K::Where
                | K::Group
                | K::Order
                | K::Having
                | K::Limit
                | K::Offset
                | K::Fetch
                | K::For
                | K::Union
                | K::Intersect
                | K::Except
                | K::Minus
                | K::On
                | K::Set
                | K::Returning
                | K::Window
                | K::Values
                | K::Select
                | K::When
        )
    }

    /// Before this word, `INSERT`/`UPDATE`/`DELETE`/`SELECT` is part of a clause
    /// (`FOR UPDATE`, `ON CONFLICT DO UPDATE`, `ON DUPLICATE KEY UPDATE`, `ON DELETE CASCADE`,
    /// `WHEN MATCHED THEN UPDATE`, `AFTER INSERT OR UPDATE OF`, `INSTEAD OF DELETE`),
    /// not an operation of its own.
    pub(crate) fn makes_next_operation_a_clause(self) -> bool {
        use Keyword as K;
        matches!(
            self,
            K::For | K::Key | K::Do | K::On | K::Then | K::Or | K::Before | K::After | K::Of
        )
    }

    /// The object type of `CREATE`/`ALTER`/`DROP`/`RENAME`, part of the operation name.
    pub(crate) fn is_object_type(self) -> bool {
        use Keyword as K;
        matches!(
            self,
            K::Table
                | K::View
                | K::Index
                | K::Sequence
                | K::Schema
                | K::Database
                | K::Function
                | K::Procedure
                | K::Trigger
                | K::Type
                | K::Extension
                | K::Role
                | K::User
                | K::Login
                | K::Domain
                | K::Event
                | K::Policy
                | K::Rule
                | K::Collation
                | K::Tablespace
                | K::Publication
                | K::Subscription
                | K::Aggregate
                | K::Server
        )
    }

    /// Names security principals, which are kept out of the summary (they can identify people).
    pub(crate) fn is_principal(self) -> bool {
        matches!(self, Keyword::User | Keyword::Role | Keyword::Login)
    }

    /// A statement summarised by this first word alone.
    pub(crate) fn is_simple_command(self) -> bool {
        use Keyword as K;
        matches!(
            self,
            K::Begin
                | K::Start
                | K::Commit
                | K::End
                | K::Rollback
                | K::Abort
                | K::Savepoint
                | K::Release
                | K::Set
                | K::Reset
                | K::Show
                | K::Use
                | K::Pragma
                | K::Vacuum
                | K::Analyze
                | K::Analyse
                | K::Reindex
                | K::Cluster
                | K::Checkpoint
                | K::Lock
                | K::Unlock
                | K::Grant
                | K::Revoke
                | K::Deny
                | K::Copy
                | K::Listen
                | K::Notify
                | K::Unlisten
                | K::Discard
                | K::Prepare
                | K::Deallocate
                | K::Declare
                | K::Fetch
                | K::Move
                | K::Close
                | K::Do
                | K::Refresh
                | K::Attach
                | K::Detach
                | K::Load
                | K::Flush
                | K::Kill
                | K::Optimize
                | K::Repair
                | K::Check
                | K::Describe
                | K::Desc
                | K::Handler
                | K::Comment
                | K::Security
                | K::Reassign
                | K::Import
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Keyword;

    #[test]
    fn lookup_ignores_ascii_case_only() {
        assert_eq!(Keyword::of("select"), Keyword::Select);
        assert_eq!(Keyword::of("SeLeCt"), Keyword::Select);
        assert_eq!(Keyword::of("low_priority"), Keyword::LowPriority);
        assert_eq!(Keyword::of("selectx"), Keyword::Other);
        assert_eq!(Keyword::of("ſelect"), Keyword::Other);
        assert_eq!(Keyword::of(""), Keyword::Other);
        assert_eq!(Keyword::of("a_very_long_identifier_name"), Keyword::Other);
    }
}
