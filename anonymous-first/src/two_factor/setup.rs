//! Turning two-step sign-in on and off. Both are the member's own session
//! changing how it signs in, so both go through the one ending as
//! [`Whom::ThisMember`]: it re-reads and locks this session, refuses an
//! admin acting as the member, and (to turn it on) a sign-in that is not
//! recent. Both sign the member's other devices out.

use super::codes::{self, fresh_backup_codes, keep_backup_codes, new_secret, totp};
use super::{TwoFactorError, hit_limits};
use crate::claim::ClaimChoice;
use crate::ending::{self, Asker, Method, Proof, Way, Whom};
use crate::guests::Caller;
use crate::identity::Identity;
use crate::sessions::ProfileRow;
use crate::user::{Profile, User};
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// What an authenticator app needs: the secret (base32, for typing in) and
/// the `otpauth://` address (for a QR code).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// The secret in base32, as apps take it typed in.
    pub secret: String,
    /// `otpauth://totp/…`, to draw as a QR code.
    pub uri: String,
}

/// Whether two-step sign-in is on for `user`, and how many backup codes
/// are left.
pub async fn status(id: &Identity, user: Uuid) -> anyhow::Result<Option<usize>> {
    let row: Option<i64> = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM backup_codes b WHERE b.user_id = t.user_id AND b.used_at IS NULL)
         FROM two_factor t WHERE t.user_id = $1 AND t.enabled_at IS NOT NULL",
    )
    .bind(user)
    .fetch_optional(&id.pool)
    .await
    .context("failed to read two-step sign-in")?;
    Ok(row.map(|left| left as usize))
}

/// The signed-in member (id and a label for the app), or why not.
fn member<P: Profile>(
    id: &Identity,
    caller: &Caller<P>,
    recent: bool,
) -> Result<(Uuid, String), TwoFactorError> {
    let Some(User::Member { id: user, email, .. }) = caller.user() else {
        return Err(TwoFactorError::NotSignedIn);
    };
    if caller.session.acting_until().is_some() {
        return Err(TwoFactorError::Acting);
    }
    if recent && !crate::account::recent(&id.config, caller) {
        return Err(TwoFactorError::NotRecent(id.config.reauth_minutes));
    }
    Ok((*user, email.clone().unwrap_or_else(|| "account".to_owned())))
}

fn setup(secret: &[u8], issuer: &str, account: &str) -> anyhow::Result<Setup> {
    let totp = totp(secret, issuer, account)?;
    Ok(Setup {
        secret: totp.secret().to_base32(),
        uri: totp
            .to_url()
            .map_err(|e| anyhow::anyhow!("no otpauth address: {e:?}"))?,
    })
}

/// Starts setting two-step sign-in up for the signed-in member (a recent
/// sign-in, not while an admin acts as them): a new secret, shown until a
/// code from it turns it on ([`enable`]). `issuer`: the site's name in the app.
pub async fn begin<P: ProfileRow>(
    id: &Identity,
    caller: &Caller<P>,
    issuer: &str,
) -> Result<Setup, TwoFactorError> {
    let (user, account) = member(id, caller, true)?;
    let secret = new_secret()?;
    let kept = sqlx::query(
        "INSERT INTO two_factor (user_id, secret) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, last_step = 0, created_at = now()
         WHERE two_factor.enabled_at IS NULL",
    )
    .bind(user)
    .bind(&secret[..])
    .execute(&id.pool)
    .await
    .context("failed to keep the new secret")?;
    if kept.rows_affected() == 0 {
        return Err(TwoFactorError::AlreadyOn);
    }
    Ok(setup(&secret, issuer, &account)?)
}

/// The setup [`begin`] started for the signed-in member, while it is not on
/// (a recent sign-in: the secret is shown only to one).
pub async fn setup_of<P: ProfileRow>(
    id: &Identity,
    caller: &Caller<P>,
    issuer: &str,
) -> Result<Option<Setup>, TwoFactorError> {
    let (user, account) = member(id, caller, true)?;
    let secret: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT secret FROM two_factor WHERE user_id = $1 AND enabled_at IS NULL")
            .bind(user)
            .fetch_optional(&id.pool)
            .await
            .context("failed to read the secret being set up")?;
    Ok(secret.map(|s| setup(&s, issuer, &account)).transpose()?)
}

/// Turning it on (`on`) with a code from the secret being set up, or off
/// with a fresh code of the one in use (or a backup code).
struct Switch<'a> {
    member: Uuid,
    session: String,
    code: &'a str,
    on: bool,
    backup: Vec<String>,
}

impl<P: Send + Sync> Way<P> for Switch<'_> {
    type Error = TwoFactorError;

    async fn redeem(&mut self, _: &Caller<P>, conn: &mut PgConnection) -> Result<Proof, TwoFactorError> {
        super::lock_account(conn, self.member).await?;
        let state: Option<bool> =
            sqlx::query_scalar("SELECT enabled_at IS NOT NULL FROM two_factor WHERE user_id = $1")
                .bind(self.member)
                .fetch_optional(&mut *conn)
                .await
                .context("failed to read two-step sign-in")?;
        match (state, self.on) {
            (Some(true), true) => return Err(TwoFactorError::AlreadyOn),
            (None, _) | (Some(false), false) => return Err(TwoFactorError::NotOn),
            _ => {}
        }
        if codes::check(conn, self.member, self.code, self.on)
            .await?
            .is_none()
        {
            return Err(TwoFactorError::WrongCode);
        }
        Ok(Proof {
            method: Method::TwoStepChanged,
            // Turning it on asks for a recent sign-in; turning it off, a
            // fresh code is the proof.
            whom: Whom::ThisMember { recent: self.on },
            asker: Asker::Here,
            choice: ClaimChoice::default(),
            next: "/account".to_owned(),
        })
    }

    async fn attach(&mut self, conn: &mut PgConnection, account: Uuid) -> Result<(), TwoFactorError> {
        if account != self.member {
            return Err(TwoFactorError::Changed);
        }
        if self.on {
            sqlx::query("UPDATE two_factor SET enabled_at = now() WHERE user_id = $1")
                .bind(account)
                .execute(&mut *conn)
                .await
                .context("failed to turn two-step sign-in on")?;
            keep_backup_codes(conn, account, &self.backup).await?;
        } else {
            for table in [
                "two_factor",
                "backup_codes",
                "trusted_browsers",
                "second_factor_pending",
            ] {
                sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                    .bind(account)
                    .execute(&mut *conn)
                    .await
                    .context("failed to turn two-step sign-in off")?;
            }
        }
        crate::account::end_other_sessions(conn, account, &self.session).await?;
        Ok(())
    }

    fn two_factors(&self) -> bool {
        true
    }
}

async fn switch<P: ProfileRow>(
    id: &Identity,
    caller: &mut Caller<P>,
    code: &str,
    on: bool,
) -> Result<Vec<String>, TwoFactorError> {
    let (member, _) = member(id, caller, on)?;
    let session = caller.session.id().ok_or(TwoFactorError::NotSignedIn)?;
    hit_limits(id, member).await?;
    let backup = match on {
        true => fresh_backup_codes()?,
        false => Vec::new(),
    };
    let way = Switch {
        member,
        session,
        code,
        on,
        backup: backup.clone(),
    };
    ending::end(id, caller, way).await?;
    tracing::warn!(user = %member, on, "two-step sign-in switched");
    Ok(backup)
}

/// Turns two-step sign-in on with a code from the secret [`begin`] showed;
/// the member's other devices are signed out. Returns the
/// [`super::BACKUP_CODES`] backup codes, to show once.
pub async fn enable<P: ProfileRow>(
    id: &Identity,
    caller: &mut Caller<P>,
    code: &str,
) -> Result<Vec<String>, TwoFactorError> {
    switch(id, caller, code, true).await
}

/// Turns two-step sign-in off with a fresh code (or a backup code): the
/// secret, the backup codes and the trusted browsers go, and the member's
/// other devices are signed out.
pub async fn disable<P: ProfileRow>(
    id: &Identity,
    caller: &mut Caller<P>,
    code: &str,
) -> Result<(), TwoFactorError> {
    switch(id, caller, code, false).await.map(|_| ())
}
