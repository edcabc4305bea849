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
}

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
    /// rotation is adopted).
    pub fn opened<P>(self, user: User<P>, notice: Option<String>) -> Rotation<P> {
        Rotation {
            id: self.id,
            user,
            notice,
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

fn now_ms() -> i64 {
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
        Ok(Self {
            inner,
            user,
            authenticated_at,
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
    /// `method` says how the user proved who they are.
    pub(crate) async fn open(
        &self,
        conn: &mut PgConnection,
        user: User<P>,
        user_agent: &str,
        notice: Option<String>,
        method: &str,
    ) -> anyhow::Result<Rotation<P>> {
        let row = self.next_row(user_agent);
        sqlx::query(
            "WITH gone AS (DELETE FROM sessions WHERE id = $1)
             INSERT INTO sessions (id, user_id, user_agent, expiry_date, notice, method)
             VALUES ($2, $3, $4, to_timestamp($5), $6, $7)",
        )
        .bind(&row.replaces)
        .bind(row.id.to_string())
        .bind(user.id())
        .bind(&row.user_agent)
        .bind(row.expiry)
        .bind(notice.as_deref())
        .bind(method)
        .execute(conn)
        .await
        .context("failed to open a session")?;
        Ok(row.opened(user, notice))
    }

    /// Makes the response carry the session a flow opened (its transaction has
    /// committed), and makes the rest of this request see its user.
    pub(crate) async fn adopt(&mut self, rotation: Rotation<P>) -> anyhow::Result<()> {
        let Rotation { id, user, notice } = rotation;
        let put = async |key: &str, value: serde_json::Value| {
            self.inner
                .insert_value(key, value)
                .await
                .with_context(|| format!("failed to update the session's {key}"))
        };
        put(keys::ADOPT, id.to_string().into()).await?;
        put(keys::USER, serde_json::to_value(&user)?).await?;
        put(keys::AUTHENTICATED_AT, now_ms().into()).await?;
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
        self.authenticated_at = Some(now_ms());
        self.adopted = Some(id);
        Ok(())
    }

    /// The session's user was found gone (merged or reaped) mid-request: the
    /// rest of the request sees nobody, so a contribution can make a guest.
    pub fn vanished(&mut self) {
        self.user = None;
        self.authenticated_at = None;
    }

    /// Ends this session here and in the store; the cookie is removed.
    pub async fn forget(&mut self) -> anyhow::Result<()> {
        self.inner.flush().await.context("failed to end the session")?;
        self.adopted = None;
        self.user = None;
        self.authenticated_at = None;
        Ok(())
    }
}
