//! An admin acting as a member, for [`ACTING_MINUTES`] at most, to see what
//! they see. Going in and coming back are both proofs the one ending uses:
//! the session rotates and is recorded like any sign-in, and each is in the
//! audit. The session an admin acts in has no recent sign-in and the ending
//! refuses it any new way in ([`Refusal::Acting`](crate::ending::Refusal));
//! coming back gives the admin their own sign-in's age again, not a fresh one.

use super::bans::record;
use super::{AdminError, is_admin, member};
use crate::ClaimChoice;
use crate::ending::{self, Asker, Ended, Method, Proof, Way, Whom};
use crate::guests::Caller;
use crate::identity::Identity;
use crate::sessions::{ACTING_MINUTES, ProfileRow, Terms};
use anyhow::Context as _;
use sqlx::PgConnection;
use uuid::Uuid;

/// Makes this browser act as the member `target` until the hour is up or
/// [`stop_acting`]; then `next` (a path of the site).
pub async fn act_as<P: ProfileRow>(
    id: &Identity,
    caller: &mut Caller<P>,
    target: Uuid,
    next: &str,
) -> Result<Ended, AdminError> {
    let (admin, session) = member(caller)?;
    let way = ActAs {
        id,
        admin,
        session,
        target,
        admin_at: 0,
        next: crate::redirect::safe_next(Some(next)),
    };
    ending::end(id, caller, way).await
}

/// Ends the acting in this browser: the admin is themselves again, then `next`.
pub async fn stop_acting<P: ProfileRow>(
    id: &Identity,
    caller: &mut Caller<P>,
    next: &str,
) -> Result<Ended, AdminError> {
    let (Some(user), Some(session)) = (caller.user(), caller.session.id()) else {
        return Err(AdminError::NotActing);
    };
    let way = StopActing {
        session,
        member: user.id(),
        admin_at: 0,
        next: crate::redirect::safe_next(Some(next)),
    };
    ending::end(id, caller, way).await
}

/// The proof both ways end with: this browser becomes `member` (whose row
/// the way has locked), bringing no guest (an admin's session has none).
fn into(method: Method, member: Uuid, next: &str) -> Proof {
    Proof {
        method,
        whom: Whom::Member {
            id: member,
            first_proof: false,
            password: None,
        },
        asker: Asker::Here,
        choice: ClaimChoice::default(),
        next: next.to_owned(),
    }
}

struct ActAs<'a> {
    id: &'a Identity,
    admin: Uuid,
    session: String,
    target: Uuid,
    admin_at: i64,
    next: String,
}

impl<P: ProfileRow> Way<P> for ActAs<'_> {
    type Error = AdminError;

    async fn redeem(&mut self, _: &Caller<P>, conn: &mut PgConnection) -> Result<Proof, AdminError> {
        // The admin's role, then the member's row: the order a ban locks in.
        if !is_admin(self.id, conn, self.admin).await? {
            return Err(AdminError::NotAdmin);
        }
        let guest: Option<bool> =
            sqlx::query_scalar("SELECT is_anonymous FROM users WHERE id = $1 FOR UPDATE")
                .bind(self.target)
                .fetch_optional(&mut *conn)
                .await
                .context("failed to lock the member")?;
        match guest {
            None => return Err(AdminError::NotFound),
            Some(true) => return Err(AdminError::Invalid("A guest has no account to act as.".into())),
            Some(false) if self.target == self.admin => return Err(AdminError::Yourself),
            Some(false) => {}
        }
        if is_admin(self.id, conn, self.target).await? {
            return Err(AdminError::TargetIsAdmin);
        }
        // The admin's own sign-in, which they get back when they stop (the
        // ending then locks this row and checks it is still the admin's).
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT floor(extract(epoch FROM authenticated_at) * 1000)::int8 FROM sessions
             WHERE id = $1 AND user_id = $2",
        )
        .bind(&self.session)
        .bind(self.admin)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to read the admin's sign-in")?;
        self.admin_at = at.ok_or(AdminError::Changed)?;
        let until: i64 =
            sqlx::query_scalar("SELECT extract(epoch FROM now() + make_interval(mins => $1))::int8")
                .bind(ACTING_MINUTES)
                .fetch_one(&mut *conn)
                .await
                .context("failed to read the clock")?;
        record(conn, self.admin, self.target, "act_as", None, Some(until)).await?;
        Ok(into(Method::ActingAs, self.target, &self.next))
    }

    /// The admin's own session is the proof: no member's code is asked.
    fn two_factors(&self) -> bool {
        true
    }

    fn terms(&self) -> Terms {
        Terms {
            acting: Some((self.admin, self.admin_at)),
            // Nothing that asks for a recent sign-in passes while acting.
            authenticated_at: Some(0),
        }
    }
}

struct StopActing {
    session: String,
    member: Uuid,
    admin_at: i64,
    next: String,
}

impl<P: ProfileRow> Way<P> for StopActing {
    type Error = AdminError;

    async fn redeem(&mut self, _: &Caller<P>, conn: &mut PgConnection) -> Result<Proof, AdminError> {
        let acting: Option<(Uuid, i64)> = sqlx::query_as(
            "SELECT acting_admin, floor(extract(epoch FROM admin_authenticated_at) * 1000)::int8
             FROM sessions WHERE id = $1 AND user_id = $2 AND acting_admin IS NOT NULL",
        )
        .bind(&self.session)
        .bind(self.member)
        .fetch_optional(&mut *conn)
        .await
        .context("failed to read the acting session")?;
        let (admin, at) = acting.ok_or(AdminError::NotActing)?;
        // The admin's row, as every way in locks the account it signs in to;
        // the ending then locks this session and checks it is unchanged.
        sqlx::query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE")
            .bind(admin)
            .execute(&mut *conn)
            .await
            .context("failed to lock the admin")?;
        self.admin_at = at;
        record(conn, admin, self.member, "act_end", None, None).await?;
        Ok(into(Method::ActingEnded, admin, &self.next))
    }

    /// The admin's own session is the proof: no member's code is asked.
    fn two_factors(&self) -> bool {
        true
    }

    fn terms(&self) -> Terms {
        Terms {
            acting: None,
            authenticated_at: Some(self.admin_at),
        }
    }
}
