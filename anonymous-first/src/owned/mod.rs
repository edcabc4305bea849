//! What a user owns, declared once by the app.
//!
//! The app lists each table whose rows belong to a user ([`OwnedTable`]: the
//! table, its owner column, what a merge does when the account already has a
//! twin of a guest's row). Everything that must know what a user owns is
//! derived from that one list ([`OwnedData`]): the counts a claim page shows,
//! the merge (a fixed number of statements whatever the number of rows), the
//! reaper's "owns nothing", and what outlives a deleted account. An app that
//! adds a table adds one line; nothing else can forget it.

mod statements;

use std::fmt;

/// A table whose rows belong to a user through an owner column that
/// references the users table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OwnedTable {
    table: &'static str,
    owner: &'static str,
    unique_with: Option<&'static str>,
    newer_wins: &'static [&'static str],
    before_move: Option<&'static str>,
    outlives: Option<&'static [&'static str]>,
}

impl OwnedTable {
    /// Rows of `table` owned through `owner`; a merge moves them all.
    pub const fn new(table: &'static str, owner: &'static str) -> Self {
        Self {
            table,
            owner,
            unique_with: None,
            newer_wins: &[],
            before_move: None,
            outlives: None,
        }
    }

    /// `column` is unique together with the owner: a guest's row whose twin
    /// the account already has stays behind (and is deleted with the guest).
    pub const fn unique_with(mut self, column: &'static str) -> Self {
        self.unique_with = Some(column);
        self
    }

    /// With [`unique_with`](Self::unique_with): when the guest's twin is
    /// newer (by `created_at`), these columns are copied onto the account's
    /// row before the move — "the later answer of the day wins".
    pub const fn newer_wins(mut self, columns: &'static [&'static str]) -> Self {
        self.newer_wins = columns;
        self
    }

    /// An app-given SQL step run before this table's rows move, in the same
    /// transaction: `$1` is the guest, `$2` the account.
    pub const fn before_move(mut self, sql: &'static str) -> Self {
        self.before_move = Some(sql);
        self
    }

    /// The rows stay when their owner is deleted, with the owner column (a
    /// nullable one) and `clear`'s columns set to NULL — an answer about a
    /// place that must not vanish with the person who gave it.
    pub const fn outlives_owner(mut self, clear: &'static [&'static str]) -> Self {
        self.outlives = Some(clear);
        self
    }

    /// The table's name.
    pub const fn table(&self) -> &'static str {
        self.table
    }

    /// The owner column.
    pub const fn owner(&self) -> &'static str {
        self.owner
    }

    /// Whether rows stay (ownerless) when their owner is deleted.
    pub const fn outlives(&self) -> bool {
        self.outlives.is_some()
    }
}

/// Why a list of owned tables was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidOwned {
    /// A name is not a plain lower-case SQL identifier (it is put in SQL as is).
    #[error("`{0}` is not a plain lower-case SQL identifier")]
    Name(&'static str),
    /// The same table and owner column were listed twice.
    #[error("{0}.{1} is listed twice")]
    Twice(&'static str, &'static str),
    /// `newer_wins` needs `unique_with`: without twins nothing is newer.
    #[error("{0}: newer_wins needs unique_with")]
    NewerWithoutTwin(&'static str),
}

/// The app's owned tables, checked, with every statement built once.
#[derive(Clone, Debug)]
pub struct OwnedData {
    tables: Vec<OwnedTable>,
    sql: statements::Statements,
}

impl OwnedData {
    /// Checks the list (names put in SQL must be plain identifiers) and
    /// builds the statements.
    pub fn new(tables: &[OwnedTable]) -> Result<Self, InvalidOwned> {
        for (i, t) in tables.iter().enumerate() {
            let names = [t.table, t.owner]
                .into_iter()
                .chain(t.unique_with)
                .chain(t.newer_wins.iter().copied())
                .chain(t.outlives.unwrap_or(&[]).iter().copied());
            for name in names {
                if !plain(name) {
                    return Err(InvalidOwned::Name(name));
                }
            }
            if tables[..i]
                .iter()
                .any(|o| o.table == t.table && o.owner == t.owner)
            {
                return Err(InvalidOwned::Twice(t.table, t.owner));
            }
            if !t.newer_wins.is_empty() && t.unique_with.is_none() {
                return Err(InvalidOwned::NewerWithoutTwin(t.table));
            }
        }
        Ok(Self {
            sql: statements::Statements::build(tables),
            tables: tables.to_vec(),
        })
    }

    /// The tables, in the order given (which is the order a merge moves them).
    pub fn tables(&self) -> &[OwnedTable] {
        &self.tables
    }

    /// Whether `table.column` is one of the owner columns.
    pub fn contains(&self, table: &str, column: &str) -> bool {
        self.tables.iter().any(|t| t.table == table && t.owner == column)
    }

    /// How many statements a merge runs: fixed by the list, never by the rows.
    pub fn merge_statements(&self) -> usize {
        self.sql.merge.len()
    }

    /// An SQL condition true when the user `user` (an SQL expression such as
    /// `u.id`) owns no row in any owned table: the reaper's test.
    pub fn owns_nothing(&self, user: &str) -> String {
        self.sql.owns_nothing(user)
    }
}

fn plain(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z' | '_'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        && name.len() <= 63
}

/// Rows per owned table, in the list's order (a counted or a moved set).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts(Vec<(&'static str, i64)>);

impl Counts {
    /// The rows of `table` (summed over its owner columns; 0 if not listed).
    pub fn get(&self, table: &str) -> i64 {
        self.0.iter().filter(|(t, _)| *t == table).map(|(_, n)| n).sum()
    }

    /// All rows together.
    pub fn total(&self) -> i64 {
        self.0.iter().map(|(_, n)| n).sum()
    }

    /// No rows in any owned table.
    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    /// Each table with its rows, in the list's order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, i64)> + '_ {
        self.0.iter().copied()
    }
}

impl FromIterator<(&'static str, i64)> for Counts {
    fn from_iter<I: IntoIterator<Item = (&'static str, i64)>>(rows: I) -> Self {
        Self(rows.into_iter().collect())
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.iter().map(|(t, n)| format!("{t}: {n}")).collect();
        f.write_str(&parts.join(", "))
    }
}
