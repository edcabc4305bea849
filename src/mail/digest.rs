//! The weekly "what changed near your saved places" mail: the same lines as
//! `/saved`, in text and HTML, with the one-click unsubscribe link in the
//! body and in the `List-Unsubscribe` header. Rendered by the mail worker as
//! it sends (`outbox`), so the row holds no link.

use super::Email;
use super::templates::escape;
use crate::auth::tokens;
use crate::email::EmailAddress;
use crate::saved::{Changes, describe};
use anyhow::Context as _;
use sqlx::PgPool;
use uuid::Uuid;

/// The digest of `changes` for `to`; `base` is the site's address.
pub fn saved_digest(to: &EmailAddress, base: &str, changes: &Changes, unsubscribe: &str) -> Email {
    // (line, link) pairs, the same in both parts.
    let mut lines: Vec<(String, String)> = Vec::new();
    for n in &changes.new_nearby {
        lines.push((
            format!("New near {}: {}, {}", n.near, n.name, n.city),
            format!("{base}/venues/{}", n.slug),
        ));
    }
    for a in &changes.answers {
        lines.push((
            format!("{}: {} (latest {})", a.name, describe(a), a.last_on),
            format!("{base}/venues/{}", a.slug),
        ));
    }
    let list = format!("{base}/saved");
    let text_lines: String = lines
        .iter()
        .map(|(line, link)| format!("- {line}\n  {link}\n"))
        .collect();
    let text = format!(
        "Hello from Paws Inside!\n\nWhat changed near your saved places since {since}:\n\n{text_lines}\n\
         Your saved places: {list}\n\nYou get this email once a week because you asked for it. \
         Stop it with one click: {unsubscribe}\n",
        since = changes.since,
    );
    let html_lines: String = lines
        .iter()
        .map(|(line, link)| format!("<li><a href=\"{}\">{}</a></li>", escape(link), escape(line)))
        .collect();
    let html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2a27\">\
         <h1 style=\"font-size:20px\">What changed near your saved places</h1>\
         <p>Since {since}:</p><ul>{html_lines}</ul>\
         <p><a href=\"{list}\">Your saved places</a></p>\
         <p style=\"color:#5b6b66\">You get this email once a week because you asked for it. \
         <a href=\"{unsubscribe}\">Stop these emails</a> (one click, no sign-in).</p></body></html>",
        since = escape(&changes.since),
        list = escape(&list),
        unsubscribe = escape(unsubscribe),
    );
    Email {
        to: to.clone(),
        subject: "What changed near your saved places".to_owned(),
        text,
        html,
        link: Some(list),
        unsubscribe: Some(unsubscribe.to_owned()),
    }
}

/// The digest for `user` from `since` (seconds since 1970), with a fresh
/// unsubscribe link (committed before the mail leaves). `None`: not to be
/// sent any more (turned off, the address changed or unproven, or nothing
/// left to tell).
pub(super) async fn render(
    pool: &PgPool,
    public_url: &str,
    user: Uuid,
    since: f64,
    to: &EmailAddress,
) -> anyhow::Result<Option<Email>> {
    let still: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users u JOIN saved_watch w ON w.user_id = u.id
           WHERE u.id = $1 AND w.digest AND NOT u.is_anonymous
             AND u.email = $2 AND u.email_verified_at IS NOT NULL)",
    )
    .bind(user)
    .bind(to.as_str())
    .fetch_one(pool)
    .await
    .context("failed to check the digest choice")?;
    if !still {
        return Ok(None);
    }
    let changes = crate::saved::changes::since(pool, user, since).await?;
    if changes.is_empty() {
        return Ok(None);
    }
    let token = tokens::generate()?;
    let digest = tokens::hash(&token).context("generated token is malformed")?;
    sqlx::query("INSERT INTO saved_digest_links (token_hash, user_id) VALUES ($1, $2)")
        .bind(digest)
        .bind(user)
        .execute(pool)
        .await
        .context("failed to store the unsubscribe link")?;
    let unsubscribe = format!("{public_url}/saved/unsubscribe?token={token}");
    Ok(Some(saved_digest(to, public_url, &changes, &unsubscribe)))
}
