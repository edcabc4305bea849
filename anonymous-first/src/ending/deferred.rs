//! A proof of one factor into an account with two-step sign-in on stops
//! here, inside the one ending ([`crate::two_factor`] has the rest): it is
//! kept in `second_factor_pending` under a random key for the app's cookie,
//! unless this browser is trusted for the member. Plain SQL over the
//! two-step tables, so the ending needs nothing of that module.

use super::{Asker, Proof, ProviderIdentity, Whom};
use crate::guests::Caller;
use anyhow::Context as _;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

/// How long a sign-in waits for its second step, in minutes.
pub const PENDING_MINUTES: i32 = 10;

/// The stored form of a waiting sign-in's key.
pub(crate) fn key_hash(key: Uuid) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

/// Whether `key` (this browser's cookie) is trusted for `user` now.
pub(crate) async fn trusted(conn: &mut PgConnection, user: Uuid, key: Option<&str>) -> anyhow::Result<bool> {
    let Some(key) = key.filter(|k| !k.is_empty() && k.len() <= 128) else {
        return Ok(false);
    };
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM trusted_browsers
                        WHERE key_hash = $1 AND user_id = $2 AND expires_at > now())",
    )
    .bind(Sha256::digest(key.as_bytes()).to_vec())
    .bind(user)
    .fetch_one(conn)
    .await
    .context("failed to read the trusted browsers")
}

/// Inside the ending, with the member's row locked by the proof: when the
/// member has two-step sign-in on and this browser is not trusted for them,
/// keeps the proof and returns the key of the waiting sign-in.
pub(crate) async fn defer<P>(
    conn: &mut PgConnection,
    member: Uuid,
    caller: &Caller<P>,
    proof: &Proof,
    identity: Option<ProviderIdentity>,
) -> anyhow::Result<Option<Uuid>> {
    let on: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM two_factor WHERE user_id = $1 AND enabled_at IS NOT NULL)",
    )
    .bind(member)
    .fetch_one(&mut *conn)
    .await
    .context("failed to read two-step sign-in")?;
    if !on || trusted(conn, member, caller.trusted_browser.as_deref()).await? {
        return Ok(None);
    }
    let Whom::Member {
        first_proof,
        password,
        ..
    } = &proof.whom
    else {
        return Ok(None);
    };
    // A first proof of the address drops a setup nobody proven made
    // (`apply::settle_member`), as it drops such a password.
    if *first_proof {
        return Ok(None);
    }
    let (asker, asker_guest) = match proof.asker {
        Asker::Here => ("here", None),
        Asker::Returning { guest } => ("returning", guest),
        Asker::Link { guest } => ("link", guest),
    };
    let key = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO second_factor_pending (key_hash, user_id, method, first_proof, password_hash,
             asker, asker_guest, bring_requester, bring_this_browser, next_path, expires_at,
             identity_provider, identity_subject, identity_email)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now() + make_interval(mins => $11), $12, $13, $14)",
    )
    .bind(key_hash(key))
    .bind(member)
    .bind(proof.method.as_str())
    .bind(first_proof)
    .bind(password.as_deref())
    .bind(asker)
    .bind(asker_guest)
    .bind(proof.choice.bring_requester)
    .bind(proof.choice.bring_this_browser)
    .bind(&proof.next)
    .bind(PENDING_MINUTES)
    .bind(identity.as_ref().map(|i| i.provider.as_str()))
    .bind(identity.as_ref().map(|i| i.subject.as_str()))
    .bind(identity.as_ref().and_then(|i| i.email.as_deref()))
    .execute(&mut *conn)
    .await
    .context("failed to keep the sign-in for its second step")?;
    Ok(Some(key))
}
