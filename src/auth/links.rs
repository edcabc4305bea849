//! Every way in through a one-time email link: sign in (and claim the guest's
//! things), confirm the address of a sign-up, set a new password. Opening a
//! link only looks ([`preview`]); the page's POST hands the token to the one
//! ending ([`super::by_address`]), which uses it up, promotes or merges the
//! guests, settles the password and opens this browser's new session.

use super::Caller;
use super::by_address::{ByAddress, Secret, dead_link};
use super::ending::{self, Ended};
use super::errors::{LinkError, RequestError};
use super::merge;
use super::preview::{ClaimChoice, GuestData, LinkCheck, LinkPreview};
use super::tokens::{self, NewToken, Peek, Purpose};
use crate::context::Context;
use crate::email::EmailAddress;
use crate::limits::LimitedAction;
use crate::mail::outbox::{Letter, Queued};
use anyhow::Context as _;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// What asking for a sign-in link gives the browser that asked.
#[derive(Debug)]
pub struct Requested {
    /// The id of the mail's token, shown beside the code field (it grants
    /// nothing alone).
    pub request: Uuid,
    /// A random key for an HttpOnly cookie: the mail's code works only in the
    /// browser that holds it.
    pub browser_key: String,
}

/// Emails a sign-in link (and code). Known and unknown addresses take the same
/// path and get the same answer. `browser_key`: the key this browser holds from
/// an earlier request, kept so its newer link replaces its older one (and only
/// its own: someone else asking for your address never retires yours).
pub async fn request_link(
    ctx: &Context,
    caller: &Caller,
    email: &str,
    next: &str,
    browser_key: Option<&str>,
) -> Result<Requested, RequestError> {
    let email = EmailAddress::parse(email).map_err(|e| RequestError::Invalid(e.to_string()))?;
    let next = crate::redirect::safe_next(Some(next));
    let client = caller.client();
    // Per address *and* client: one client cannot stop links to an address;
    // the address's own bound only keeps its inbox from a flood.
    let checks = [
        (LimitedAction::LinkPerClient, client.clone()),
        (
            LimitedAction::LinkPerEmail,
            format!("{} {client}", email.as_str()),
        ),
        (LimitedAction::MailPerAddress, email.as_str().to_owned()),
    ];
    let checks: Vec<_> = checks.iter().map(|(l, s)| (*l, s.as_str())).collect();
    ctx.limit(&checks).await?.map_err(RequestError::TooMany)?;
    let browser_key = match browser_key.filter(|k| tokens::hash(k).is_some()) {
        Some(key) => key.to_owned(),
        None => tokens::generate()?,
    };
    let browser_hash = tokens::hash(&browser_key).context("generated key is malformed")?;
    // The token and the mail carrying it commit together (the outbox).
    let mut tx = ctx.pool.begin().await.context("no database connection")?;
    let issued = tokens::issue(
        &mut tx,
        NewToken {
            purpose: Purpose::MagicLink,
            email: email.as_str(),
            guest_id: caller.session.guest(),
            next_path: &next,
            ttl_minutes: ctx.config.link_minutes,
            password_hash: None,
            browser_hash: Some(&browser_hash),
            user_id: None,
        },
    )
    .await?;
    let mail = Queued {
        letter: Letter::MagicLink,
        to: &email,
        token: issued.id,
        minutes: ctx.config.link_minutes,
    };
    ctx.send(&mut tx, mail).await?;
    tx.commit().await.context("failed to commit the sign-in link")?;
    Ok(Requested {
        request: issued.id,
        browser_key,
    })
}

/// What a link's page shows. Never uses the link up.
pub async fn preview(
    ctx: &Context,
    caller: &Caller,
    purpose: Purpose,
    token: &str,
) -> anyhow::Result<LinkCheck> {
    let row = match tokens::peek(&ctx.pool, purpose, token).await? {
        Peek::Valid(row) => row,
        Peek::Used => return Ok(LinkCheck::Used),
        Peek::Expired => return Ok(LinkCheck::Expired),
        Peek::TriedOut => return Ok(LinkCheck::TriedOut),
        Peek::Unknown => return Ok(LinkCheck::Unknown),
    };
    let masked_email = EmailAddress::parse(&row.email)
        .map(|e| e.masked())
        .unwrap_or_else(|_| "your address".to_owned());
    let browser = caller.session.guest();
    let same_browser = browser.is_some() && browser == row.guest_id;
    let mut conn = ctx.pool.acquire().await.context("no database connection")?;
    let requester = data_if_guest(&mut conn, row.guest_id).await?;
    let this_browser = data_if_guest(&mut conn, browser.filter(|_| !same_browser)).await?;
    let unproven_password = purpose == Purpose::EmailVerify
        && (row.password_hash.is_some() || unproven_password(&ctx.pool, &row.email).await?.is_some());
    Ok(LinkCheck::Valid(LinkPreview {
        masked_email,
        same_browser,
        requester,
        this_browser,
        unproven_password,
    }))
}

/// The data of `id` when it is (still) a guest.
async fn data_if_guest(conn: &mut PgConnection, id: Option<Uuid>) -> anyhow::Result<Option<GuestData>> {
    let Some(id) = id else { return Ok(None) };
    let guest: Option<bool> = sqlx::query_scalar("SELECT is_anonymous FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to look up guest")?;
    match guest {
        Some(true) => Ok(Some(merge::guest_data(conn, id).await?)),
        _ => Ok(None),
    }
}

/// The password of an account nobody has proved the address of (made by the
/// sign-up of older versions), if there is one.
async fn unproven_password(pool: &PgPool, email: &str) -> anyhow::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT password_hash FROM users
         WHERE email = $1 AND email_verified_at IS NULL AND password_hash IS NOT NULL",
    )
    .bind(email)
    .fetch_optional(pool)
    .await
    .context("failed to look up the account's password")
}

/// Confirms a sign-in link: signs this browser in, bringing the guests the
/// one rule and the person's choice bring.
pub async fn sign_in_with_link(
    ctx: &Context,
    caller: &mut Caller,
    token: &str,
    choice: ClaimChoice,
) -> Result<Ended, LinkError> {
    let way = ByAddress {
        purpose: Purpose::MagicLink,
        secret: Secret::Link(token),
        choice,
        password: None,
    };
    ending::end(ctx, caller, way).await
}

/// Signs in with the code from a sign-in mail, typed in the browser that
/// asked (`request` names the mail's token, `browser_key` is that browser's
/// cookie): the same ending as the link, wherever the mail was read. Limited
/// per client and per address; each try is counted before the code is checked,
/// so however many are in flight, at most [`tokens::CODE_TRIES`] are checked.
pub async fn sign_in_with_code(
    ctx: &Context,
    caller: &mut Caller,
    request: &str,
    code: &str,
    browser_key: Option<&str>,
) -> Result<Ended, LinkError> {
    let request = Uuid::parse_str(request).map_err(|_| LinkError::Unknown)?;
    let code = tokens::normalize_code(code).ok_or(LinkError::MalformedCode)?;
    let email = tokens::email_of(&ctx.pool, request).await?;
    let client = caller.client();
    let mut checks = vec![(LimitedAction::CodePerClient, client.clone())];
    // Per address *and* client: nobody else can use up the owner's tries.
    for per_email in [LimitedAction::CodePerEmail, LimitedAction::CodePerEmailDaily] {
        checks.extend(email.clone().map(|e| (per_email, format!("{e} {client}"))));
    }
    let checks: Vec<_> = checks.iter().map(|(l, s)| (*l, s.as_str())).collect();
    ctx.limit(&checks).await?.map_err(LinkError::TooMany)?;
    let code_hash = match tokens::code_target(&ctx.pool, request, browser_key).await? {
        tokens::CodeTarget::Live(hash) => hash,
        tokens::CodeTarget::OtherBrowser => return Err(LinkError::OtherBrowser),
        tokens::CodeTarget::Dead(peek) => return Err(dead_link(peek)),
    };
    let Some(attempt) = tokens::take_try(&ctx.pool, request, &code_hash).await? else {
        return Err(match tokens::why_no_try(&ctx.pool, request).await? {
            tokens::NoTry::TriedOut => LinkError::TriedOut,
            tokens::NoTry::Used => LinkError::Used,
        });
    };
    if !ctx.hasher.verify(code, Some(code_hash.clone())).await? {
        let left = tokens::CODE_TRIES - attempt;
        if left <= 0 {
            tokens::retire_tried_out(&ctx.pool, request, &code_hash).await?;
        }
        return Err(LinkError::WrongCode(left.max(0)));
    }
    let way = ByAddress {
        purpose: Purpose::MagicLink,
        secret: Secret::Code {
            request,
            code_hash: &code_hash,
        },
        choice: ClaimChoice::default(),
        password: None,
    };
    ending::end(ctx, caller, way).await
}

/// Confirms the address of a sign-up and finishes it. The password chosen at
/// sign-up is kept in the browser that signed up, or when the person types it
/// here; otherwise the account starts without one (someone else may have
/// chosen it).
pub async fn confirm_address(
    ctx: &Context,
    caller: &mut Caller,
    token: &str,
    choice: ClaimChoice,
    typed_password: &str,
) -> Result<Ended, LinkError> {
    let row = match tokens::peek(&ctx.pool, Purpose::EmailVerify, token).await? {
        Peek::Valid(row) => row,
        dead => return Err(dead_link(dead)),
    };
    let pending = match row.password_hash.clone() {
        Some(hash) => Some(hash),
        None => unproven_password(&ctx.pool, &row.email).await?,
    };
    let browser = caller.session.guest();
    let keep = match pending {
        Some(hash) if browser.is_some() && browser == row.guest_id => Some(hash),
        Some(hash) if !typed_password.is_empty() => {
            let subject = format!("{} {}", row.email, caller.client());
            ctx.limit(&[(LimitedAction::PasswordPerAccount, subject.as_str())])
                .await?
                .map_err(LinkError::TooMany)?;
            if !ctx
                .hasher
                .verify(typed_password.to_owned(), Some(hash.clone()))
                .await?
            {
                return Err(LinkError::WrongPassword);
            }
            Some(hash)
        }
        _ => None,
    };
    let way = ByAddress {
        purpose: Purpose::EmailVerify,
        secret: Secret::Link(token),
        choice,
        password: keep,
    };
    ending::end(ctx, caller, way).await
}

/// Sets a new password from a reset link: proves the address, ends every
/// session of the account and signs this browser in. Like any link, it brings
/// the guest that asked for it only in the browser that asked, and any other
/// guest only when the person chose it on the page.
pub async fn reset_password(
    ctx: &Context,
    caller: &mut Caller,
    token: &str,
    choice: ClaimChoice,
    new_password: String,
) -> Result<Ended, LinkError> {
    let row = match tokens::peek(&ctx.pool, Purpose::PasswordReset, token).await? {
        Peek::Valid(row) => row,
        dead => return Err(dead_link(dead)),
    };
    crate::password::check(&new_password, &row.email).map_err(LinkError::Weak)?;
    let hash = ctx.hasher.hash(new_password).await?;
    let way = ByAddress {
        purpose: Purpose::PasswordReset,
        secret: Secret::Link(token),
        choice,
        password: Some(hash),
    };
    ending::end(ctx, caller, way).await
}
