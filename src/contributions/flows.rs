//! Reading "My contributions": counts and one page of each list, for this
//! browser's user (guest or member) only. Each list is one statement bounded
//! by a page (`LIMIT`/`OFFSET` over at most `MAX_PAGE` pages).

use super::{Contributions, Listed, MyAnswer, MyPhoto, PAGE, Pages};
use crate::auth::Caller;
use crate::context::Context;
use crate::photos::Photo;
use crate::suggestions::Suggestion;
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// What the caller added (`None`: no session, so nothing yet).
pub async fn overview(ctx: &Context, caller: &Caller, pages: Pages) -> anyhow::Result<Option<Contributions>> {
    let Some(user) = caller.user() else {
        return Ok(None);
    };
    let id = user.id();
    let mut conn = ctx.pool.acquire().await.context("no database connection")?;
    let counts = crate::auth::merge::guest_data(&mut conn, id).await?;
    let dogs: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT id, name FROM dogs WHERE user_id = $1 ORDER BY created_at, id LIMIT 100")
            .bind(id)
            .fetch_all(&mut *conn)
            .await
            .context("failed to list dogs")?;
    Ok(Some(Contributions {
        guest: user.is_guest(),
        counts,
        dogs,
        photos: photos(&mut conn, id, pages.photos).await?,
        answers: answers(&mut conn, id, pages.answers).await?,
        suggestions: suggestions(&mut conn, id, pages.suggestions).await?,
        pages,
    }))
}

/// `LIMIT` and `OFFSET` of a page, one row more than shown (to know "more").
fn window(page: i64) -> (i64, i64) {
    (PAGE + 1, (page - 1) * PAGE)
}

type PhotoRow = (
    Uuid,
    String,
    i32,
    i32,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    bool,
);

async fn photos(conn: &mut PgConnection, user: Uuid, page: i64) -> anyhow::Result<Listed<MyPhoto>> {
    let (limit, offset) = window(page);
    let rows: Vec<PhotoRow> = sqlx::query_as(
        "SELECT m.id, m.storage_key, m.width, m.height, d.name, v.slug, v.name,
                to_char(m.created_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY'), m.hidden_at IS NOT NULL
         FROM photos m LEFT JOIN dogs d ON d.id = m.dog_id LEFT JOIN venues v ON v.id = m.venue_id
         WHERE m.user_id = $1 ORDER BY m.created_at DESC, m.id LIMIT $2 OFFSET $3",
    )
    .bind(user)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await
    .context("failed to list photos")?;
    let rows = rows
        .into_iter()
        .map(
            |(id, storage_key, width, height, dog_name, slug, name, added_on, hidden)| MyPhoto {
                photo: Photo {
                    id,
                    storage_key,
                    width,
                    height,
                },
                dog_name,
                venue: slug.zip(name),
                added_on,
                hidden,
            },
        )
        .collect();
    Ok(Listed::from_rows(rows, page))
}

async fn answers(conn: &mut PgConnection, user: Uuid, page: i64) -> anyhow::Result<Listed<MyAnswer>> {
    let (limit, offset) = window(page);
    let rows: Vec<(Uuid, String, String, bool, String)> = sqlx::query_as(
        "SELECT c.id, v.slug, v.name, c.welcome, to_char(c.checked_on, 'FMDD Mon YYYY')
         FROM venue_checks c JOIN venues v ON v.id = c.venue_id
         WHERE c.user_id = $1 ORDER BY c.created_at DESC, c.id LIMIT $2 OFFSET $3",
    )
    .bind(user)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await
    .context("failed to list answers")?;
    let rows = rows
        .into_iter()
        .map(|(id, venue_slug, venue_name, welcome, on)| MyAnswer {
            id,
            venue_slug,
            venue_name,
            welcome,
            on,
        })
        .collect();
    Ok(Listed::from_rows(rows, page))
}

async fn suggestions(conn: &mut PgConnection, user: Uuid, page: i64) -> anyhow::Result<Listed<Suggestion>> {
    let (limit, offset) = window(page);
    let rows: Vec<Suggestion> = sqlx::query_as(
        "SELECT s.id, s.name, s.city, s.category, s.status,
                to_char(s.created_at AT TIME ZONE 'UTC', 'FMDD Mon YYYY') AS created_on,
                s.reject_reason, v.slug AS venue_slug
         FROM venue_suggestions s LEFT JOIN venues v ON v.id = s.venue_id
         WHERE s.user_id = $1 ORDER BY s.created_at DESC, s.id LIMIT $2 OFFSET $3",
    )
    .bind(user)
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await
    .context("failed to list suggestions")?;
    Ok(Listed::from_rows(rows, page))
}

/// Only the counts (the account page's summary); `None` without a session.
pub async fn counts(ctx: &Context, caller: &Caller) -> anyhow::Result<Option<crate::GuestData>> {
    let Some(user) = caller.user() else {
        return Ok(None);
    };
    let mut conn = ctx.pool.acquire().await.context("no database connection")?;
    Ok(Some(crate::auth::merge::guest_data(&mut conn, user.id()).await?))
}
