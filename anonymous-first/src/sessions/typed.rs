//! `TypedSession`: the only code that reads or changes what a session says.
//!
//! A change of who a session is happens in two steps that cannot be split up
//! by a caller: [`TypedSession::open`] deletes this browser's current session
//! row and inserts a new one for the new user, inside the deciding flow's
//! transaction (so the new id and the record of whose it is are one write),
//! and returns a [`Rotation`]; after the commit, [`TypedSession::adopt`] makes
//! the response carry the new id. The old id never authenticates anyone
//! again. An app calls `open` from one place only — the one ending every way
//! in goes through — and a guest's first contribution writes its row in a
//! statement of its own ([`TypedSession::next_row`]).

use super::farewell::Farewell;
use super::keys;
use crate::user::{Profile, User};
use anyhow::Context;
use sqlx::PgConnection;
use tower_sessions_core::Session;
use tower_sessions_core::session::Id;
use uuid::Uuid;

/// The request's session with what the store loaded for it.
#[derive(Clone, Debug)]
pub struct TypedSession<P> {
    inner: Session,
    user: Option<User<P>>,
    authenticated_at: Option<i64>,
    acting_until: Option<i64>,
    /// The row adopted in this request: until the response goes out, the
    /// inner session knows no id, and this is this browser's row.
    adopted: Option<Id>,
}

/// A session row a flow inserted; apply it with [`TypedSession::adopt`] once
/// the flow's transaction has committed.
#[derive(Debug)]
#[must_use = "the browser keeps its old (now deleted) session unless the rotation is adopted"]
pub struct Rotation<P> {
    id: Id,
    user: User<P>,
    notice: Option<String>,
    authenticated_at: i64,
    acting_until: Option<i64>,
}

/// How a new session stands besides its user: as it is by default, a
/// person who proved who they are just now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Terms {
    /// An admin acts as the user (for an hour at most): the admin, and when
    /// they last proved who they are (Unix ms), for their own session to get
    /// back when they stop.
    pub acting: Option<(Uuid, i64)>,
    /// When the user last proved who they are here (Unix ms), when it is not
    /// now: an admin back from acting keeps their own sign-in's age, and a
    /// session an admin acts in has none that is recent.
    pub authenticated_at: Option<i64>,
}

/// How long an admin may act as someone, in minutes.
pub const ACTING_MINUTES: i32 = 60;

/// A session row about to be written: a fresh id, the row it replaces, and
/// what the row holds besides its user.
#[derive(Debug)]
pub struct NewSession {
    id: Id,
    replaces: Option<String>,
    user_agent: String,
    expiry: f64,
}

impl NewSession {
    /// The new session id (the cookie's value).
    pub fn id(&self) -> String {
        self.id.to_string()
    }

    /// This browser's current session id, to delete in the same write.
    pub fn replaces(&self) -> Option<&str> {
        self.replaces.as_deref()
    }

    /// The `User-Agent`, cleaned and cut to the column's limit.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// When the session expires, in Unix seconds.
    pub fn expiry(&self) -> f64 {
        self.expiry
    }

    /// The row was written (in a transaction that must commit before the
    /// rotation is adopted), signed in at `authenticated_at` (Unix ms), with
    /// an admin acting in it until `acting_until` (Unix seconds).
    pub fn opened<P>(
        self,
        user: User<P>,
        notice: Option<String>,
        authenticated_at: i64,
        acting_until: Option<i64>,
    ) -> Rotation<P> {
        Rotation {
            id: self.id,
            user,
            notice,
            authenticated_at,
            acting_until,
        }
    }
}

/// The one-time message a page shows, as the session holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Words a flow left for the next page.
    Said(String),
    /// This browser's session was ended by another device; the app words why.
    Farewell(Farewell),
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl<P: Profile> TypedSession<P> {
    /// Reads the session: one query when the browser sent a session cookie,
    /// none otherwise (and none again within the request).
    pub async fn load(inner: Session) -> anyhow::Result<Self> {
        let user = inner
            .get::<User<P>>(keys::USER)
            .await
            .context("failed to load the session")?;
        let authenticated_at = inner
            .get::<i64>(keys::AUTHENTICATED_AT)
            .await
            .context("failed to read the session")?;
        let acting_until = inner
            .get::<i64>(keys::ACTING_UNTIL)
            .await
            .context("failed to read the session")?;
        Ok(Self {
            inner,
            user,
            authenticated_at,
            acting_until,
            adopted: None,
        })
    }

    /// Who this session is, as the users table said at the start of the request.
    pub fn user(&self) -> Option<&User<P>> {
        self.user.as_ref()
    }

    /// The guest this browser holds, if it holds one.
    pub fn guest(&self) -> Option<Uuid> {
        self.user.as_ref().and_then(User::guest_id)
    }

    /// The session id, for telling "this device" apart in the session list.
    pub fn id(&self) -> Option<String> {
        self.user.as_ref()?;
        self.row().map(|id| id.to_string())
    }

    /// This browser's session row: the one adopted in this request, else the
    /// one its cookie named.
    fn row(&self) -> Option<Id> {
        self.adopted.or_else(|| self.inner.id())
    }

    /// An admin is acting as this session's member, until these Unix seconds
    /// (the session reads as gone after).
    pub fn acting_until(&self) -> Option<i64> {
        self.acting_until
    }

    /// Milliseconds since this session's user last proved who they are here.
    pub fn millis_since_sign_in(&self) -> Option<i64> {
        self.authenticated_at.map(|at| now_ms() - at)
    }

    /// The one-time message for this page, removed as it is read. Costs
    /// nothing when there is none. A farewell is read once too: the session
    /// is emptied, so the response removes the cookie that named the ended
    /// session (its farewell row stays for a contribution still on its way
    /// until the reaper takes it).
    pub async fn take_notice(&self) -> Option<Notice> {
        if self.user.is_none() {
            let farewell = self.inner.get::<Farewell>(keys::FAREWELL).await.ok().flatten()?;
            if let Err(err) = self.inner.flush().await {
                tracing::warn!(error = %err, "a shown farewell's cookie stays");
            }
            return Some(Notice::Farewell(farewell));
        }
        let notice = self.inner.get::<String>(keys::NOTICE).await.ok().flatten()?;
        let _ = self.inner.remove_value(keys::NOTICE).await;
        Some(Notice::Said(notice))
    }

    /// Rolling expiry without a write per request: at most once a day the
    /// session (and its cookie) is pushed out by the session layer's expiry.
    pub async fn touch_if_due(&self) {
        if self.user.is_none() {
            return;
        }
        if self.inner.get::<bool>(keys::TOUCH_DUE).await.ok().flatten() == Some(true) {
            let _ = self.inner.insert(keys::TOUCH_DUE, false).await;
            let _ = self.inner.insert(keys::TOUCHED, true).await;
        }
    }

    /// The row that will replace this browser's session, for a flow that
    /// writes it inside one statement of its own (guest creation); every other
    /// flow uses [`TypedSession::open`].
    pub(crate) fn next_row(&self, user_agent: &str) -> NewSession {
        NewSession {
            id: Id::default(),
            replaces: self.row().map(|id| id.to_string()),
            user_agent: user_agent.chars().filter(|c| !c.is_control()).take(300).collect(),
            expiry: self.inner.expiry_date().unix_timestamp() as f64,
        }
    }

    /// Replaces this browser's session row with a new one for `user`, in the
    /// deciding flow's transaction. `notice` is shown on the next page;
    /// `method` says how the user proved who they are, `terms` how the
    /// session stands besides ([`Terms`]).
    pub(crate) async fn open(
        &self,
        conn: &mut PgConnection,
        user: User<P>,
        user_agent: &str,
        notice: Option<String>,
        method: &str,
        terms: Terms,
    ) -> anyhow::Result<Rotation<P>> {
        let row = self.next_row(user_agent);
        let (admin, admin_at) = terms.acting.unzip();
        let (at, until): (i64, Option<i64>) = sqlx::query_as(
            "WITH gone AS (DELETE FROM sessions WHERE id = $1)
             INSERT INTO sessions (id, user_id, user_agent, expiry_date, notice, method,
                                   authenticated_at, acting_admin, acting_until, admin_authenticated_at)
             VALUES ($2, $3, $4, to_timestamp($5), $6, $7,
                     coalesce(to_timestamp($8::int8 / 1000.0), now()), $9,
                     now() + make_interval(mins => CASE WHEN $9::uuid IS NOT NULL THEN $11::int END),
                     to_timestamp($10::int8 / 1000.0))
             RETURNING floor(extract(epoch FROM authenticated_at) * 1000)::int8,
                       extract(epoch FROM acting_until)::int8",
        )
        .bind(&row.replaces)
        .bind(row.id.to_string())
        .bind(user.id())
        .bind(&row.user_agent)
        .bind(row.expiry)
        .bind(notice.as_deref())
        .bind(method)
        .bind(terms.authenticated_at)
        .bind(admin)
        .bind(admin_at)
        .bind(ACTING_MINUTES)
        .fetch_one(conn)
        .await
        .context("failed to open a session")?;
        Ok(row.opened(user, notice, at, until))
    }

    /// Makes the response carry the session a flow opened (its transaction has
    /// committed), and makes the rest of this request see its user.
    pub(crate) async fn adopt(&mut self, rotation: Rotation<P>) -> anyhow::Result<()> {
        let Rotation {
            id,
            user,
            notice,
            authenticated_at,
            acting_until,
        } = rotation;
        let put = async |key: &str, value: serde_json::Value| {
            self.inner
                .insert_value(key, value)
                .await
                .with_context(|| format!("failed to update the session's {key}"))
        };
        put(keys::ADOPT, id.to_string().into()).await?;
        put(keys::USER, serde_json::to_value(&user)?).await?;
        put(keys::AUTHENTICATED_AT, authenticated_at.into()).await?;
        match acting_until {
            Some(until) => {
                put(keys::ACTING_UNTIL, until.into()).await?;
            }
            None => {
                self.inner
                    .remove_value(keys::ACTING_UNTIL)
                    .await
                    .context("failed to update the session")?;
            }
        }
        if let Some(notice) = notice {
            put(keys::NOTICE, notice.into()).await?;
        }
        if self.inner.id().is_some() {
            // Makes the layer hand out the adopted id instead of the old one
            // (whose row the flow's transaction already deleted).
            self.inner
                .cycle_id()
                .await
                .context("failed to rotate the session id")?;
        }
        self.user = Some(user);
        self.authenticated_at = Some(authenticated_at);
        self.acting_until = acting_until;
        self.adopted = Some(id);
        Ok(())
    }

    /// The session's user was found gone (merged or reaped) mid-request: the
    /// rest of the request sees nobody, so a contribution can make a guest.
    pub fn vanished(&mut self) {
        self.user = None;
        self.authenticated_at = None;
        self.acting_until = None;
    }

    /// Ends this session here and in the store; the cookie is removed.
    pub async fn forget(&mut self) -> anyhow::Result<()> {
        self.inner.flush().await.context("failed to end the session")?;
        self.adopted = None;
        self.user = None;
        self.authenticated_at = None;
        self.acting_until = None;
        Ok(())
    }
}
