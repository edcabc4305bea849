//! Asking for a sign-in mail, and signing in with its link or its code.

use super::{AddressError, ByAddress, RequestError, Secret, dead_link};
use crate::claim::ClaimChoice;
use crate::email::EmailAddress;
use crate::ending::{self, Ended};
use crate::guests::Caller;
use crate::identity::Identity;
use crate::limits::hit_all;
use crate::outbox::{self, Letter, Queued};
use crate::sessions::ProfileRow;
use crate::tokens::{self, CodeTarget, NewToken, NoTry, Purpose};
use anyhow::Context as _;
use uuid::Uuid;

/// What asking for a sign-in mail gives the browser that asked.
#[derive(Debug)]
pub struct Requested {
    /// The id of the mail's token, shown beside the code field (it grants
    /// nothing alone).
    pub request: Uuid,
    /// A random key for an HttpOnly cookie: the mail's code works only in the
    /// browser that holds it.
    pub browser_key: String,
}

/// Mails a sign-in link and code. Known and unknown addresses take the same
/// path and get the same answer. `browser_key`: the key this browser holds
/// from an earlier request, kept so its newer mail replaces its older one
/// (and only its own: someone else asking for your address never retires
/// yours). `next`: where to go after signing in, made a path of the site.
pub async fn request_link<P: ProfileRow>(
    id: &Identity,
    caller: &Caller<P>,
    email: &str,
    next: &str,
    browser_key: Option<&str>,
) -> Result<Requested, RequestError> {
    let email = EmailAddress::parse(email).map_err(|e| RequestError::Invalid(e.to_string()))?;
    let next = crate::redirect::safe_next(Some(next));
    let limits = &id.config.address_limits;
    let (per_client, per_email) = (limits.link_per_client, limits.link_per_email);
    let counted = super::hit_mail(id, caller, &email, per_client, per_email).await?;
    counted.map_err(RequestError::TooMany)?;
    let browser_key = match browser_key.filter(|k| tokens::hash(k).is_some()) {
        Some(key) => key.to_owned(),
        None => tokens::generate()?,
    };
    let browser_hash = tokens::hash(&browser_key).context("generated key is malformed")?;
    // The token and the mail carrying it commit together (the outbox).
    let mut tx = id.pool.begin().await.context("no database connection")?;
    let issued = tokens::issue(
        &mut tx,
        NewToken {
            purpose: Purpose::MagicLink,
            email: email.as_str(),
            guest_id: caller.session.guest(),
            next_path: &next,
            ttl_minutes: id.config.link_minutes,
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
        minutes: id.config.link_minutes,
    };
    outbox::queue(&mut tx, mail).await?;
    tx.commit().await.context("failed to commit the sign-in link")?;
    Ok(Requested {
        request: issued.id,
        browser_key,
    })
}

/// Signs this browser in with a mailed link, bringing the guests the one
/// rule and the person's `choice` (on a page naming the account) bring.
pub async fn sign_in_with_link<P: ProfileRow>(
    id: &Identity,
    caller: &mut Caller<P>,
    token: &str,
    choice: ClaimChoice,
) -> Result<Ended, AddressError> {
    let way = ByAddress {
        purpose: Purpose::MagicLink,
        secret: Secret::Link(token),
        choice,
        password: None,
    };
    ending::end(id, caller, way).await
}

/// Signs in with the code from a sign-in mail, typed in the browser that
/// asked (`request` names the mail's token, `browser_key` is that browser's
/// cookie): the same ending as the link, wherever the mail was read. Limited
/// per client and per address; each try is counted before the code is
/// checked, so however many are in flight, at most [`tokens::CODE_TRIES`]
/// are checked.
pub async fn sign_in_with_code<P: ProfileRow>(
    id: &Identity,
    caller: &mut Caller<P>,
    request: &str,
    code: &str,
    browser_key: Option<&str>,
) -> Result<Ended, AddressError> {
    let request = Uuid::parse_str(request).map_err(|_| AddressError::Unknown)?;
    let code = tokens::normalize_code(code).ok_or(AddressError::MalformedCode)?;
    let email = tokens::email_of(&id.pool, request).await?;
    let client = caller.client();
    let limits = &id.config.address_limits;
    // Per address *and* client: nobody else can use up the owner's tries.
    let per_email = email.map(|e| format!("{e} {client}"));
    let mut checks = vec![(limits.code_per_client, client.as_str())];
    if let Some(subject) = &per_email {
        checks.push((limits.code_per_email, subject.as_str()));
        checks.push((limits.code_per_email_daily, subject.as_str()));
    }
    hit_all(&id.pool, &checks).await?.map_err(AddressError::TooMany)?;
    let code_hash = match tokens::code_target(&id.pool, request, browser_key).await? {
        CodeTarget::Live(hash) => hash,
        CodeTarget::OtherBrowser => return Err(AddressError::OtherBrowser),
        CodeTarget::Dead(peek) => return Err(dead_link(peek)),
    };
    let Some(attempt) = tokens::take_try(&id.pool, request, &code_hash).await? else {
        return Err(match tokens::why_no_try(&id.pool, request).await? {
            NoTry::TriedOut => AddressError::TriedOut,
            NoTry::Used => AddressError::Used,
        });
    };
    if !id.hasher.verify(code, Some(code_hash.clone())).await? {
        let left = tokens::CODE_TRIES - attempt;
        if left <= 0 {
            tokens::retire_tried_out(&id.pool, request, &code_hash).await?;
        }
        return Err(AddressError::WrongCode(left.max(0)));
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
    ending::end(id, caller, way).await
}
