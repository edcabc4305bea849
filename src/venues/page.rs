//! The venue page's read: the venue, with its opening hours worked out now.

use super::{VenueDetail, hours, queries};
use crate::Slug;
use sqlx::PgPool;

/// `slug`'s details for its page, `None` for no such venue. "Open now" is
/// worked out here, on the server, at render time, with the lines that follow
/// it for a week: a copy the page cache serves (`PAGE_CACHE_SECONDS`, at most
/// five minutes) or a tab left open shows the line for the reader's time
/// (`public/hours.js`), and without JavaScript the line is at most that old.
pub async fn venue_page(pool: &PgPool, slug: &Slug) -> anyhow::Result<Option<VenueDetail>> {
    let Some(mut detail) = queries::by_slug(pool, slug).await? else {
        return Ok(None);
    };
    let (lat, lng) = (detail.summary.lat, detail.summary.lng);
    detail.hours = detail
        .opening_hours
        .as_deref()
        .map(|raw| hours::describe(raw, lat, lng, chrono::Utc::now()));
    Ok(Some(detail))
}
