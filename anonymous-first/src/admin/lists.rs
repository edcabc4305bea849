//! What an admin reads: users, found by part of their address and kind, the
//! latest seen first, with what each owns and any suspension; one user; and
//! the audit of what admins did. Each page is bounded ([`PAGE`] rows, one
//! statement for the rows and one for all their counts).

use super::{AdminError, AuditEntry, Ban, Kind, Listed, PAGE, Search, UserRow, require};
use crate::guests::Caller;
use crate::identity::Identity;
use crate::user::Profile;
use anyhow::Context as _;
use uuid::Uuid;

/// The deepest page a list goes to: past it, search instead.
const MAX_PAGE: u32 = 400;

type Row = (
    Uuid,
    Option<String>,
    bool,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

const USERS: &str = "SELECT u.id, u.email, u.is_anonymous,
        extract(epoch FROM u.created_at)::int8, extract(epoch FROM u.last_seen_at)::int8,
        CASE WHEN u.banned_at IS NOT NULL AND (u.banned_until IS NULL OR u.banned_until > now())
             THEN extract(epoch FROM u.banned_at)::int8 END,
        extract(epoch FROM u.banned_until)::int8, u.ban_reason, b.email
    FROM users u LEFT JOIN users b ON b.id = u.banned_by";

/// Users matching `search`, [`PAGE`] at a time.
pub async fn users<P: Profile>(
    id: &Identity,
    caller: &Caller<P>,
    search: &Search,
) -> Result<Listed<UserRow>, AdminError> {
    require(id, caller).await?;
    let text = search.text.trim().to_lowercase();
    if text.chars().count() > 254 {
        return Err(AdminError::Invalid("Search for at most 254 characters.".into()));
    }
    let kind = match search.kind {
        Kind::All => "all",
        Kind::Members => "members",
        Kind::Guests => "guests",
        Kind::Banned => "banned",
    };
    let sql = format!(
        "{USERS}
         WHERE ($1 = '' OR strpos(u.email, $1) > 0)
           AND CASE $2 WHEN 'members' THEN NOT u.is_anonymous
                       WHEN 'guests' THEN u.is_anonymous
                       WHEN 'banned' THEN u.banned_at IS NOT NULL
                                      AND (u.banned_until IS NULL OR u.banned_until > now())
                       ELSE true END
         ORDER BY u.last_seen_at DESC, u.id LIMIT $3 OFFSET $4"
    );
    let page = i64::from(search.page.min(MAX_PAGE));
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(&text)
        .bind(kind)
        .bind(PAGE as i64 + 1)
        .bind(page * PAGE as i64)
        .fetch_all(&id.pool)
        .await
        .context("failed to list users")?;
    let more = rows.len() > PAGE;
    let rows = complete(id, rows.into_iter().take(PAGE).collect()).await?;
    Ok(Listed { rows, more })
}

/// One user, by id.
pub async fn user<P: Profile>(id: &Identity, caller: &Caller<P>, user: Uuid) -> Result<UserRow, AdminError> {
    require(id, caller).await?;
    let row: Option<Row> = sqlx::query_as(&format!("{USERS} WHERE u.id = $1"))
        .bind(user)
        .fetch_optional(&id.pool)
        .await
        .context("failed to load a user")?;
    let row = row.ok_or(AdminError::NotFound)?;
    Ok(complete(id, vec![row]).await?.remove(0))
}

/// Adds what each owns and who is an admin: two statements for the page.
async fn complete(id: &Identity, rows: Vec<Row>) -> anyhow::Result<Vec<UserRow>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
    let mut conn = id.pool.acquire().await.context("no database connection")?;
    let mut owns = id.owned.count_many(&mut conn, &ids).await?.into_iter();
    let admins = id.hooks.admins(&mut conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(
            |(uid, email, guest, created_at, last_seen_at, banned_at, until, reason, by)| UserRow {
                id: uid,
                email,
                guest,
                admin: admins.contains(&uid),
                created_at,
                last_seen_at,
                owns: owns.next().unwrap_or_default(),
                ban: banned_at.map(|at| Ban {
                    at,
                    until,
                    reason: reason.unwrap_or_default(),
                    by,
                }),
            },
        )
        .collect())
}

/// What admins did, the latest first; only to `subject` when given.
pub async fn audit<P: Profile>(
    id: &Identity,
    caller: &Caller<P>,
    subject: Option<Uuid>,
    page: u32,
) -> Result<Listed<AuditEntry>, AdminError> {
    require(id, caller).await?;
    type Entry = (
        i64,
        Uuid,
        Option<String>,
        Uuid,
        Option<String>,
        String,
        Option<String>,
        Option<i64>,
    );
    let rows: Vec<Entry> = sqlx::query_as(
        "SELECT extract(epoch FROM a.at)::int8, a.actor_id, actor.email, a.subject_id, subject.email,
                a.action, a.reason, extract(epoch FROM a.until)::int8
         FROM user_audit a
         LEFT JOIN users actor ON actor.id = a.actor_id
         LEFT JOIN users subject ON subject.id = a.subject_id
         WHERE $1::uuid IS NULL OR a.subject_id = $1
         ORDER BY a.at DESC, a.id DESC LIMIT $2 OFFSET $3",
    )
    .bind(subject)
    .bind(PAGE as i64 + 1)
    .bind(i64::from(page.min(MAX_PAGE)) * PAGE as i64)
    .fetch_all(&id.pool)
    .await
    .context("failed to read the audit")?;
    let more = rows.len() > PAGE;
    let rows = rows
        .into_iter()
        .take(PAGE)
        .map(
            |(at, actor_id, actor, subject_id, subject, action, reason, until)| AuditEntry {
                at,
                actor_id,
                actor,
                subject_id,
                subject,
                action,
                reason,
                until,
            },
        )
        .collect();
    Ok(Listed { rows, more })
}
