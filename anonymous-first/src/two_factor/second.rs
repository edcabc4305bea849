//! The second step of a sign-in: [`finish`] hands the proof the ending kept
//! (`ending::deferred`) back to it with a code.

use super::codes;
use super::{MAX_FAILURES, TwoFactorError, hit_limits, trusted};
use crate::claim::ClaimChoice;
use crate::ending::deferred::key_hash;
use crate::ending::{self, Asker, Ended, Method, Proof, Way, Whom};
use crate::guests::Caller;
use crate::identity::Identity;
use crate::sessions::ProfileRow;
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// A finished second step: how the sign-in ended, and the key of this
/// browser's new trust (for the app's cookie) when it was asked for.
#[derive(Debug)]
pub struct Finished {
    /// What the ending did.
    pub ended: Ended,
    /// The trusted browser's key, to keep for [`super::TRUST_DAYS`] days.
    pub trusted_key: Option<String>,
}

type Row = (
    Uuid,
    String,
    bool,
    Option<String>,
    String,
    Option<Uuid>,
    bool,
    bool,
    String,
    i32,
);

struct SecondStep<'a> {
    key_hash: Vec<u8>,
    member: Uuid,
    code: &'a str,
    trust: Option<String>,
    user_agent: String,
    /// A provider identity the first step would have added.
    identity: Option<(String, String, Option<String>)>,
}

impl<P: Send + Sync> Way<P> for SecondStep<'_> {
    type Error = TwoFactorError;

    async fn redeem(&mut self, _: &Caller<P>, conn: &mut PgConnection) -> Result<Proof, TwoFactorError> {
        // The member's row first (the order every flow locks in), then the
        // waiting sign-in.
        super::lock_account(conn, self.member).await?;
        let row: Option<Row> = sqlx::query_as(
            "SELECT user_id, method, first_proof, password_hash, asker, asker_guest,
                    bring_requester, bring_this_browser, next_path, failures
             FROM second_factor_pending
             WHERE key_hash = $1 AND user_id = $2 AND expires_at > now() FOR UPDATE",
        )
        .bind(&self.key_hash)
        .bind(self.member)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to read the waiting sign-in")?;
        let Some((
            member,
            method,
            first_proof,
            password,
            asker,
            guest,
            requester,
            this_browser,
            next,
            failures,
        )) = row
        else {
            return Err(TwoFactorError::Expired);
        };
        let Some(_) = codes::check(conn, member, self.code, false).await? else {
            // Counted, and kept by the ending's commit (`spent`).
            let gone = failures + 1 >= MAX_FAILURES;
            let sql = match gone {
                true => "DELETE FROM second_factor_pending WHERE key_hash = $1",
                false => "UPDATE second_factor_pending SET failures = failures + 1 WHERE key_hash = $1",
            };
            sqlx::query(sql)
                .bind(&self.key_hash)
                .execute(&mut *conn)
                .await
                .context("failed to count a wrong code")?;
            return Err(TwoFactorError::WrongCode);
        };
        let kept: (Option<String>, Option<String>, Option<String>) = sqlx::query_as(
            "DELETE FROM second_factor_pending WHERE key_hash = $1
             RETURNING identity_provider, identity_subject, identity_email",
        )
        .bind(&self.key_hash)
        .fetch_one(&mut *conn)
        .await
        .context("failed to finish the waiting sign-in")?;
        self.identity = match kept {
            (Some(provider), Some(subject), email) => Some((provider, subject, email)),
            _ => None,
        };
        let asker = match asker.as_str() {
            "returning" => Asker::Returning { guest },
            "link" => Asker::Link { guest },
            _ => Asker::Here,
        };
        Ok(Proof {
            method: Method::parse(&method).context("a waiting sign-in's method is unknown")?,
            whom: Whom::Member {
                id: member,
                first_proof,
                password,
            },
            asker,
            choice: ClaimChoice {
                bring_requester: requester,
                bring_this_browser: this_browser,
            },
            next,
        })
    }

    async fn attach(&mut self, conn: &mut PgConnection, account: Uuid) -> Result<(), TwoFactorError> {
        if let Some(key) = &self.trust {
            trusted::add(conn, account, key, &self.user_agent).await?;
        }
        // The provider's first sign-in links it now, unless it was linked
        // elsewhere meanwhile (then this sign-in stands without it).
        if let Some((provider, subject, email)) = &self.identity {
            sqlx::query(
                "INSERT INTO oidc_identities (provider, subject, user_id, email) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
            )
            .bind(provider)
            .bind(subject)
            .bind(account)
            .bind(email.as_deref())
            .execute(&mut *conn)
            .await
            .context("failed to add the provider's identity")?;
        }
        Ok(())
    }

    fn two_factors(&self) -> bool {
        true
    }

    fn spent(err: &TwoFactorError) -> bool {
        matches!(err, TwoFactorError::WrongCode)
    }
}

/// The second step of the sign-in waiting under `key` (this browser's
/// cookie): `code` is the authenticator's or a backup code; `trust` keeps
/// this browser from asking again for [`super::TRUST_DAYS`] days.
pub async fn finish<P: ProfileRow>(
    id: &Identity,
    caller: &mut Caller<P>,
    key: Option<&str>,
    code: &str,
    trust: bool,
) -> Result<Finished, TwoFactorError> {
    let key_hash = key
        .and_then(|k| Uuid::try_parse(k.trim()).ok())
        .map(key_hash)
        .ok_or(TwoFactorError::Expired)?;
    let member: Option<Uuid> = sqlx::query_scalar(
        "SELECT user_id FROM second_factor_pending WHERE key_hash = $1 AND expires_at > now()",
    )
    .bind(&key_hash)
    .fetch_optional(&id.pool)
    .await
    .context("failed to look up the waiting sign-in")?;
    let member = member.ok_or(TwoFactorError::Expired)?;
    hit_limits(id, member).await?;
    let trust = match trust {
        true => Some(crate::tokens::generate()?),
        false => None,
    };
    let way = SecondStep {
        key_hash,
        member,
        code,
        trust: trust.clone(),
        user_agent: caller.user_agent.clone(),
        identity: None,
    };
    let ended = ending::end(id, caller, way).await?;
    tracing::info!(user = %member, trusted = trust.is_some(), "second step passed");
    Ok(Finished {
        ended,
        trusted_key: trust,
    })
}
