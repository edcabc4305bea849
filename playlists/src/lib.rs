//! Saved playlists: the identity crate's second app, using only its public
//! API. A visitor makes playlists without signing up (the first one mints a
//! guest); asking for a sign-in mail and typing its code claims them — the
//! guest promoted in place, or, for an address that has an account already,
//! its playlists moved into it in the sign-in's own transaction.
//!
//! `GET /playlists` lists this browser's; `POST /playlists` (`{"name"}`)
//! adds one; `POST /auth/email` and `/auth/code` are the crate's. Its mail
//! carries the code only: a link would need a page naming the account.

use anonymous_first::hooks::BoxFuture;
use anonymous_first::identity::{Config, Identity};
use anonymous_first::mail::{Email, Mailer};
use anonymous_first::outbox::{self, Letter, Link, Retry, Sender, Words};
use anonymous_first::password::Hasher;
use anonymous_first::web;
use anonymous_first::{
    Caller, EmailAddress, Minter, NoHooks, NoProfile, OwnedData, OwnedTable, PgSessionStore,
};
use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use sqlx::migrate::Migrator;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// This app's migrations; they run after the crate's ([`migrate`]).
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Playlists one person may keep.
pub const MAX_PLAYLISTS: i64 = 200;

/// The session cookie's name.
const COOKIE: &str = "playlists_session";

/// Applies the crate's migrations and ours, in version order.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    anonymous_first::migrations::run(pool, &MIGRATOR).await
}

#[derive(Clone)]
struct App {
    identity: Identity,
    minter: Arc<Minter>,
}

impl FromRef<App> for Identity {
    fn from_ref(app: &App) -> Identity {
        app.identity.clone()
    }
}

/// The router, and the mail worker to spawn: mail goes to `mail_dir` as
/// files, links point at `public_url`.
pub fn build(pool: PgPool, public_url: &str, mail_dir: PathBuf) -> anyhow::Result<(Router, Sender)> {
    // The one list of what a user owns: a claim moves it, counts it, the
    // crate's deletion and reaper know it.
    let owned = OwnedData::new(&[OwnedTable::new("playlists", "user_id")])?;
    let identity = Identity {
        pool: pool.clone(),
        owned: Arc::new(owned),
        hooks: Arc::new(NoHooks),
        hasher: Hasher::new(2),
        config: Config {
            secure_cookies: public_url.starts_with("https://"),
            ..Config::default()
        },
    };
    let sender = Sender {
        mailer: Mailer::folder(mail_dir, "Playlists <lists@playlists.example>")?,
        retry: Retry::default(),
        public_url: public_url.trim_end_matches('/').to_owned(),
        link_minutes: identity.config.link_minutes,
        words: Arc::new(PlaylistWords),
    };
    let app = App {
        identity,
        minter: Arc::new(Minter::with_default_limits()),
    };
    let secure = app.identity.config.secure_cookies;
    let router = Router::new()
        .route("/playlists", get(list).post(add))
        .layer(DefaultBodyLimit::max(4096))
        .layer(axum::middleware::from_fn(web::same_origin))
        .merge(web::routes::<NoProfile, App>())
        .with_state(app)
        .layer(web::session_layer(
            PgSessionStore::<NoProfile>::new(pool),
            COOKIE,
            secure,
            30,
        ));
    Ok((router, sender))
}

/// Runs the mail worker until its task is dropped.
pub async fn send_mail(pool: PgPool, sender: Sender) {
    outbox::work(pool, sender, Duration::from_secs(2)).await;
}

#[derive(Serialize, sqlx::FromRow)]
struct Playlist {
    id: i64,
    name: String,
}

/// This browser's playlists, newest first; none without a session (and no
/// database work at all without a cookie).
async fn list(State(app): State<App>, caller: Caller<NoProfile>) -> Result<Json<Vec<Playlist>>, Failed> {
    let Some(user) = caller.user() else {
        return Ok(Json(Vec::new()));
    };
    let rows = sqlx::query_as("SELECT id, name FROM playlists WHERE user_id = $1 ORDER BY id DESC LIMIT $2")
        .bind(user.id())
        .bind(MAX_PLAYLISTS)
        .fetch_all(&app.identity.pool)
        .await
        .map_err(|e| Failed::Unexpected(e.into()))?;
    Ok(Json(rows))
}

#[derive(Deserialize)]
struct NewPlaylist {
    name: String,
    /// The browser's key for this attempt: a double click makes one guest.
    #[serde(default)]
    mint_key: Option<String>,
}

/// Adds a playlist: the first contribution makes this browser a guest.
async fn add(
    State(app): State<App>,
    mut caller: Caller<NoProfile>,
    Json(new): Json<NewPlaylist>,
) -> Result<(StatusCode, Json<Playlist>), Failed> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Failed::Invalid("A playlist needs a name of 1 to 100 characters."));
    }
    let pool = &app.identity.pool;
    let minted = app
        .minter
        .user_or_mint(pool, &mut caller, new.mint_key.as_deref())
        .await
        .map_err(|e| match e {
            anonymous_first::guests::MintError::TooMany(over) => Failed::TooMany(over.to_string()),
            anonymous_first::guests::MintError::Unexpected(e) => Failed::Unexpected(e),
        })?;
    let row: Option<Playlist> = sqlx::query_as(
        "INSERT INTO playlists (user_id, name)
         SELECT $1, $2 WHERE (SELECT count(*) FROM playlists WHERE user_id = $1) < $3
         RETURNING id, name",
    )
    .bind(minted.user.id())
    .bind(name)
    .bind(MAX_PLAYLISTS)
    .fetch_optional(pool)
    .await
    .map_err(|e| Failed::Unexpected(e.into()))?;
    let row = row.ok_or(Failed::Invalid(
        "That is as many playlists as one person can keep.",
    ))?;
    Ok((StatusCode::CREATED, Json(row)))
}

/// Why a playlist request failed.
enum Failed {
    Invalid(&'static str),
    TooMany(String),
    Unexpected(anyhow::Error),
}

impl IntoResponse for Failed {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            Failed::Invalid(why) => (StatusCode::BAD_REQUEST, why.to_owned()),
            Failed::TooMany(why) => (StatusCode::TOO_MANY_REQUESTS, why),
            Failed::Unexpected(err) => {
                tracing::error!(error = ?err, "playlists");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on our side.".to_owned(),
                )
            }
        };
        (status, Json(serde_json::json!({ "error": message }))).into_response()
    }
}

/// What our mails say.
struct PlaylistWords;

impl Words for PlaylistWords {
    fn letter(&self, _: Letter, to: &EmailAddress, link: &Link) -> Email {
        // The code only: a link would need a page of ours that names the
        // account before its POST, and this app has no pages.
        let code = link.code.as_deref().unwrap_or("");
        let minutes = link.minutes;
        Email {
            to: to.clone(),
            subject: "Your Playlists sign-in code".into(),
            text: format!(
                "Your sign-in code: {code}\n\nType it where you asked for it (it works for {minutes} minutes).\n"
            ),
            html: format!(
                "<p>Your sign-in code: <b>{code}</b></p><p>Type it where you asked for it (it works for {minutes} minutes).</p>"
            ),
            link: None,
            unsubscribe: None,
        }
    }

    fn own<'a>(
        &'a self,
        _: &'a PgPool,
        _: &'a str,
        _: &'a EmailAddress,
        _: Uuid,
        _: f64,
    ) -> BoxFuture<'a, anyhow::Result<Option<Email>>> {
        // No mails of our own: anything else is given up.
        Box::pin(async { Ok(None) })
    }
}
