//! The statements derived from the owned tables, built once, and the three
//! operations that run them: count, move (the merge's rows) and release
//! (what outlives a deleted owner). Each runs on the caller's connection, so
//! it is part of the caller's transaction.

use super::{Counts, OwnedData, OwnedTable};
use anyhow::Context;
use sqlx::PgConnection;
use uuid::Uuid;

/// One step of a merge: its table, its SQL (`$1` guest, `$2` account), and
/// whether its rows are the ones moved.
#[derive(Clone, Debug)]
pub(super) struct Step {
    table: &'static str,
    sql: String,
    moves: bool,
}

#[derive(Clone, Debug)]
pub(super) struct Statements {
    /// One statement: every table's count for `$1`, as an array.
    count: String,
    /// One statement: the same for each user of the array `$1`, in its order.
    count_many: String,
    /// Per table: the app's step, the newer-wins refresh, the move.
    pub(super) merge: Vec<Step>,
    /// Per table whose rows outlive their owner: clear the owner (`$1`).
    release: Vec<String>,
    tables: Vec<(&'static str, &'static str)>,
}

impl Statements {
    pub(super) fn build(tables: &[OwnedTable]) -> Self {
        let counts: Vec<String> = tables
            .iter()
            .map(|t| format!("(SELECT count(*) FROM {} WHERE {} = $1)", t.table, t.owner))
            .collect();
        let count = format!("SELECT ARRAY[{}]::int8[]", counts.join(", "));
        let each: Vec<String> = tables
            .iter()
            .map(|t| format!("(SELECT count(*) FROM {} WHERE {} = u.id)", t.table, t.owner))
            .collect();
        let count_many = format!(
            "SELECT ARRAY[{}]::int8[] FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n) ORDER BY u.n",
            each.join(", ")
        );
        let mut merge = Vec::new();
        for t in tables {
            let step = |sql: String, moves| Step {
                table: t.table,
                sql,
                moves,
            };
            if let Some(sql) = t.before_move {
                merge.push(step(sql.to_owned(), false));
            }
            if let Some(sql) = refresh(t) {
                merge.push(step(sql, false));
            }
            merge.push(step(move_rows(t), true));
        }
        let release = tables
            .iter()
            .filter_map(|t| {
                let clear = t.outlives?;
                let sets: Vec<String> = std::iter::once(t.owner)
                    .chain(clear.iter().copied())
                    .map(|c| format!("{c} = NULL"))
                    .collect();
                Some(format!(
                    "UPDATE {} SET {} WHERE {} = $1",
                    t.table,
                    sets.join(", "),
                    t.owner
                ))
            })
            .collect();
        Self {
            count,
            count_many,
            merge,
            release,
            tables: tables.iter().map(|t| (t.table, t.owner)).collect(),
        }
    }

    pub(super) fn owns_nothing(&self, user: &str) -> String {
        if self.tables.is_empty() {
            return "TRUE".to_owned();
        }
        self.tables
            .iter()
            .map(|(table, owner)| format!("NOT EXISTS (SELECT 1 FROM {table} o WHERE o.{owner} = {user})"))
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

/// Moves every row of `$1` to `$2`; a row whose twin `$2` has stays behind.
fn move_rows(t: &OwnedTable) -> String {
    let (table, owner) = (t.table, t.owner);
    let twin = t.unique_with.map_or(String::new(), |u| {
        format!(" AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{owner} = $2 AND t.{u} = {table}.{u})")
    });
    format!("UPDATE {table} SET {owner} = $2 WHERE {owner} = $1{twin}")
}

/// Before the move: the account's twins take the newer values of the guest's.
fn refresh(t: &OwnedTable) -> Option<String> {
    let (Some(u), false) = (t.unique_with, t.newer_wins.is_empty()) else {
        return None;
    };
    let (table, owner) = (t.table, t.owner);
    let from_guest: Vec<String> = t.newer_wins.iter().map(|c| format!("g.{c}")).collect();
    Some(format!(
        "UPDATE {table} t SET ({}) = ({}) FROM {table} g \
         WHERE g.{owner} = $1 AND t.{owner} = $2 AND t.{u} = g.{u} AND g.created_at > t.created_at",
        t.newer_wins.join(", "),
        from_guest.join(", ")
    ))
}

impl OwnedData {
    /// Counts what `user` owns, table by table, in one statement.
    pub async fn count(&self, conn: &mut PgConnection, user: Uuid) -> anyhow::Result<Counts> {
        let counts: Vec<i64> = sqlx::query_scalar(&self.sql.count)
            .bind(user)
            .fetch_one(conn)
            .await
            .context("failed to count owned rows")?;
        Ok(Counts(self.tables.iter().map(|t| t.table).zip(counts).collect()))
    }

    /// [`count`](Self::count) for each of `users`, in their order, in one
    /// statement (an admin's page of users).
    pub async fn count_many(&self, conn: &mut PgConnection, users: &[Uuid]) -> anyhow::Result<Vec<Counts>> {
        let rows: Vec<Vec<i64>> = sqlx::query_scalar(&self.sql.count_many)
            .bind(users)
            .fetch_all(conn)
            .await
            .context("failed to count owned rows")?;
        Ok(rows
            .into_iter()
            .map(|counts| self.tables.iter().map(|t| t.table).zip(counts).collect())
            .collect())
    }

    /// Moves every row `from` owns to `to` (the merge's rows), returning how
    /// many moved per table. Rows whose twin `to` already has stay behind.
    /// [`merge_statements`](Self::merge_statements) statements, whatever the
    /// number of rows; run it in the sign-in's transaction.
    pub async fn move_all(&self, conn: &mut PgConnection, from: Uuid, to: Uuid) -> anyhow::Result<Counts> {
        let mut moved = Vec::with_capacity(self.tables.len());
        for step in &self.sql.merge {
            let done = sqlx::query(&step.sql)
                .bind(from)
                .bind(to)
                .execute(&mut *conn)
                .await
                .with_context(|| format!("failed to move {}", step.table))?;
            if step.moves {
                moved.push((step.table, done.rows_affected() as i64));
            }
        }
        Ok(Counts(moved))
    }

    /// Clears `user` as the owner of the rows that outlive it; call it in the
    /// transaction that deletes the user (the others go by cascade).
    pub async fn release(&self, conn: &mut PgConnection, user: Uuid) -> anyhow::Result<u64> {
        let mut released = 0;
        for sql in &self.sql.release {
            released += sqlx::query(sql)
                .bind(user)
                .execute(&mut *conn)
                .await
                .context("failed to release owned rows")?
                .rows_affected();
        }
        Ok(released)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{InvalidOwned, OwnedData, OwnedTable};

    const LIKES: OwnedTable = OwnedTable::new("likes", "liker_id").unique_with("item_id");

    #[test]
    fn twins_stay_behind_and_newer_values_win() {
        let data = OwnedData::new(&[
            OwnedTable::new("notes", "user_id"),
            LIKES,
            OwnedTable::new("votes", "user_id")
                .unique_with("slot")
                .newer_wins(&["choice", "created_at"])
                .outlives_owner(&["network"]),
        ])
        .unwrap();
        let sql: Vec<&str> = data.sql.merge.iter().map(|s| s.sql.as_str()).collect();
        assert_eq!(sql[0], "UPDATE notes SET user_id = $2 WHERE user_id = $1");
        assert_eq!(
            sql[1],
            "UPDATE likes SET liker_id = $2 WHERE liker_id = $1 AND NOT EXISTS \
             (SELECT 1 FROM likes t WHERE t.liker_id = $2 AND t.item_id = likes.item_id)"
        );
        assert!(
            sql[2].starts_with(
                "UPDATE votes t SET (choice, created_at) = (g.choice, g.created_at) FROM votes g"
            )
        );
        assert_eq!(data.merge_statements(), 4);
        assert_eq!(
            data.sql.release,
            ["UPDATE votes SET user_id = NULL, network = NULL WHERE user_id = $1"]
        );
        assert_eq!(
            data.owns_nothing("u.id").matches("NOT EXISTS").count(),
            3,
            "{}",
            data.owns_nothing("u.id")
        );
    }

    #[test]
    fn names_that_are_not_plain_identifiers_are_refused() {
        let bad = OwnedData::new(&[OwnedTable::new("notes; DROP TABLE users", "user_id")]);
        assert!(matches!(bad, Err(InvalidOwned::Name(_))));
        let twice = OwnedData::new(&[LIKES, LIKES]);
        assert_eq!(twice.unwrap_err(), InvalidOwned::Twice("likes", "liker_id"));
        let newer = OwnedData::new(&[OwnedTable::new("votes", "user_id").newer_wins(&["choice"])]);
        assert_eq!(newer.unwrap_err(), InvalidOwned::NewerWithoutTwin("votes"));
        assert_eq!(OwnedData::new(&[]).unwrap().owns_nothing("u.id"), "TRUE");
    }
}
