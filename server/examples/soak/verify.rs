//! After the run: every acknowledged dog, photo, claim and session must be in
//! the database and on disk, owned by the right user, and nothing half-written.

use crate::journey::{Guest, Plan, Shared};
use anyhow::Context;
use serde_json::Value;
use sqlx::PgPool;
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// Expected against found, one line per check.
#[derive(Default)]
pub struct Report {
    lines: Vec<(String, String, String, bool)>,
}

impl Report {
    fn exact(&mut self, what: &str, expected: usize, found: usize) {
        self.lines.push((
            what.into(),
            expected.to_string(),
            found.to_string(),
            expected == found,
        ));
    }

    /// `found` may exceed `expected` by up to `slack` requests cut off by the kill
    /// (committed, but the answer never arrived).
    fn within(&mut self, what: &str, expected: usize, slack: usize, found: usize) {
        let shown = if slack == 0 {
            expected.to_string()
        } else {
            format!("{expected} (+ up to {slack} cut off)")
        };
        self.lines.push((
            what.into(),
            shown,
            found.to_string(),
            (expected..=expected + slack).contains(&found),
        ));
    }

    /// Whether every check matched.
    pub fn ok(&self) -> bool {
        self.lines.iter().all(|l| l.3)
    }

    /// How many checks did not match.
    pub fn mismatches(&self) -> usize {
        self.lines.iter().filter(|l| !l.3).count()
    }

    /// The table.
    pub fn print(&self) {
        println!("\n| check | expected | found | |");
        println!("| --- | ---: | ---: | --- |");
        for (what, expected, found, ok) in &self.lines {
            println!(
                "| {what} | {expected} | {found} | {} |",
                if *ok { "ok" } else { "MISMATCH" }
            );
        }
    }
}

/// Checks the database, the media folder and every guest's session.
pub async fn check(
    pool: &PgPool,
    shared: &Shared,
    guests: &[Guest],
    total: usize,
    run: &str,
) -> anyhow::Result<Report> {
    let mut r = Report::default();
    let media = PathBuf::from(std::env::var("SOAK_MEDIA_DIR").context("SOAK_MEDIA_DIR is not set")?);
    r.exact(
        "journeys completed",
        total,
        guests.iter().filter(|g| g.completed).count(),
    );
    let cut = |step| shared.stats.interruptions(step) as usize;

    // Sessions: each browser's cookie still resolves to the user it should.
    let mut sessions_ok = 0;
    let (mut dogs_ok, mut photos_ok, mut claims_ok) = (0, 0, 0);
    for g in guests {
        let Some(guest) = g.guest_id else { continue };
        let owner = match &g.plan {
            Plan::Existing(_, account) if g.claimed => *account,
            _ => guest, // guests stay, new accounts are the guest promoted in place
        };
        let me = session_user(&g.client, &shared.base).await?;
        let expected_email = match &g.plan {
            Plan::Stay => None,
            Plan::New(email) | Plan::Existing(email, _) => g.claimed.then_some(email.as_str()),
        };
        if me["id"].as_str() == Some(owner.to_string().as_str()) && me["email"].as_str() == expected_email {
            sessions_ok += 1;
        }
        for dog in &g.dogs {
            let found: Option<Uuid> = sqlx::query_scalar("SELECT user_id FROM dogs WHERE id = $1")
                .bind(dog)
                .fetch_optional(pool)
                .await?;
            dogs_ok += usize::from(found == Some(owner));
        }
        for photo in &g.photos {
            let row: Option<(Uuid, String)> =
                sqlx::query_as("SELECT user_id, storage_key FROM photos WHERE id = $1")
                    .bind(photo)
                    .fetch_optional(pool)
                    .await?;
            photos_ok += usize::from(row.is_some_and(|(u, key)| u == owner && files_whole(&media, &key)));
        }
        if g.claimed {
            let email: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
                .bind(owner)
                .fetch_optional(pool)
                .await?
                .flatten();
            claims_ok += usize::from(email.as_deref() == expected_email);
        }
    }
    let with = |f: fn(&Guest) -> usize| guests.iter().map(f).sum::<usize>();
    r.exact(
        "sessions resolving to the right user",
        guests.iter().filter(|g| g.guest_id.is_some()).count(),
        sessions_ok,
    );
    r.exact(
        "acknowledged dogs, owned by the right user",
        with(|g| g.dogs.len()),
        dogs_ok,
    );
    r.exact(
        "acknowledged photos: row, owner, both files whole",
        with(|g| g.photos.len()),
        photos_ok,
    );
    r.exact(
        "acknowledged claims: account has the address",
        with(|g| usize::from(g.claimed)),
        claims_ok,
    );

    // Totals: nothing extra beyond requests whose answer the kill swallowed.
    let residents = guests
        .iter()
        .filter(|g| matches!(g.plan, Plan::Existing(..)))
        .count();
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .map(|n| n as usize)
    };
    r.within(
        "dogs in the database",
        with(|g| g.dogs.len()) + residents,
        cut("add dog"),
        count("SELECT count(*) FROM dogs").await?,
    );
    r.within(
        "photos in the database",
        with(|g| g.photos.len()),
        cut("upload photo"),
        count("SELECT count(*) FROM photos").await?,
    );
    let merged = guests
        .iter()
        .filter(|g| g.claimed && matches!(g.plan, Plan::Existing(..)))
        .count();
    let unclaimed_guests = guests
        .iter()
        .filter(|g| g.guest_id.is_some() && !g.claimed)
        .count();
    let promoted = guests
        .iter()
        .filter(|g| g.claimed && matches!(g.plan, Plan::New(_)))
        .count();
    r.within(
        "guest users left (unclaimed guests)",
        unclaimed_guests,
        cut("ensure session"),
        count("SELECT count(*) FROM users WHERE is_anonymous").await?,
    );
    r.exact(
        "accounts (promoted + existing)",
        promoted + residents,
        count("SELECT count(*) FROM users WHERE NOT is_anonymous").await?,
    );
    r.exact(
        "merges audited",
        merged,
        count("SELECT count(*) FROM claim_audit WHERE from_user <> to_user").await?,
    );
    r.exact(
        "failed merges recorded",
        0,
        count("SELECT count(*) FROM claim_failures").await?,
    );

    // Mail: everything the outbox took is sent (after the restart too) and sent
    // once: one mail in the sink per sent row, plus at most one per kill (a
    // send the kill cut between the SMTP server's answer and the row's mark).
    let (unsent, sent, delivered) = mail_settled(pool, shared, run).await?;
    r.exact("mails still waiting in the outbox", 0, unsent);
    r.within(
        "mails in the sink (one per sent outbox row)",
        sent,
        shared.kills() as usize,
        delivered,
    );

    // Files: every final file decodes whole; files without a row and temporary
    // files can only come from uploads cut off by the kill (the reaper removes them).
    let (finals, temps) = list_media(&media)?;
    let keys: Vec<String> = sqlx::query_scalar("SELECT storage_key FROM photos")
        .fetch_all(pool)
        .await?;
    let broken = finals.iter().filter(|p| image::open(p).is_err()).count();
    r.exact("photo files that do not decode (half-written)", 0, broken);
    let orphans = finals
        .iter()
        .filter(|p| {
            !keys.iter().any(|k| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(k.as_str()))
            })
        })
        .count();
    r.within("photo files without a row", 0, 2 * cut("upload photo"), orphans);
    r.within("temporary files left", 0, 2 * cut("upload photo"), temps);
    Ok(r)
}

/// Unsent outbox rows, sent rows and this run's mails in the sink, once the
/// workers and the sink scanner have caught up (at most 15 s).
async fn mail_settled(pool: &PgPool, shared: &Shared, run: &str) -> anyhow::Result<(usize, usize, usize)> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let (unsent, sent): (i64, i64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE sent_at IS NULL AND gave_up_at IS NULL), \
                    count(*) FILTER (WHERE sent_at IS NOT NULL) FROM mail_outbox",
        )
        .fetch_one(pool)
        .await?;
        let delivered = shared.mail.total(run);
        let settled = unsent == 0 && delivered >= sent as usize;
        if settled || std::time::Instant::now() > deadline {
            return Ok((unsent as usize, sent as usize, delivered));
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The session's user, as `auth/me` reports it (`null` for none).
async fn session_user(client: &reqwest::Client, base: &str) -> anyhow::Result<Value> {
    let res = client
        .post(format!("{base}/api/auth/me"))
        .header("accept", "application/json")
        .send()
        .await
        .context("auth/me failed")?;
    Ok(res.json().await.unwrap_or(Value::Null))
}

fn files_whole(media: &Path, key: &str) -> bool {
    ["display", "thumb"]
        .iter()
        .all(|v| image::open(media.join(&key[..2]).join(format!("{key}-{v}.jpg"))).is_ok())
}

/// Final photo files and temporary ones under the media folder.
fn list_media(media: &Path) -> anyhow::Result<(Vec<PathBuf>, usize)> {
    let (mut finals, mut temps) = (Vec::new(), 0);
    let Ok(shards) = std::fs::read_dir(media) else {
        return Ok((finals, temps));
    };
    for shard in shards {
        for file in std::fs::read_dir(shard?.path())? {
            let path = file?.path();
            if path.extension().is_some_and(|e| e == "jpg") {
                finals.push(path);
            } else {
                temps += 1;
            }
        }
    }
    Ok((finals, temps))
}
