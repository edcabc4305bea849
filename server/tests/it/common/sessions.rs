//! Session cookies as an attacker holds them: copied from a browser at one
//! moment and replayed later, alone, to see whom they still sign in.

use super::{Browser, TestApp};
use serde_json::Value;

impl Browser {
    /// Its session cookie alone (`paws_session=…`), to replay later.
    pub fn session_cookie(&self, app: &TestApp) -> String {
        self.cookie(app)
            .and_then(|all| {
                all.split("; ")
                    .find(|c| c.starts_with("paws_session="))
                    .map(str::to_owned)
            })
            .expect("the browser holds a session")
    }
}

impl TestApp {
    /// Who a request carrying only `cookie` (from [`Browser::session_cookie`])
    /// is, as `auth/me` says (`Null`: nobody).
    pub async fn who_with(&self, cookie: &str) -> Value {
        let res = self
            .client
            .post(format!("{}/api/auth/me", self.address))
            .header("accept", "application/json")
            .header("cookie", cookie)
            .send()
            .await
            .expect("request failed");
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    /// Whether the `sessions` table still has the row of a `paws_session=…` cookie.
    pub async fn session_row_exists(&self, cookie: &str) -> bool {
        let id = cookie.strip_prefix("paws_session=").unwrap_or(cookie);
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sessions WHERE id = $1)")
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// Asserts that an earlier session cookie signs in nobody and its row is gone.
    pub async fn assert_session_dead(&self, cookie: &str) {
        assert_eq!(
            self.who_with(cookie).await,
            Value::Null,
            "the old session id still signs someone in"
        );
        assert!(
            !self.session_row_exists(cookie).await,
            "the old session's row is still there"
        );
    }
}
