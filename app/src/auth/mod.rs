//! Who is using the site. Readers have no session at all; the first
//! contribution mints a guest user (a real row) and a session, lazily.

mod add_email_page;
mod change_email_page;
mod client;
pub mod links;
pub mod openid;
mod pages;
pub mod passkey;
mod password_pages;
pub mod passwords;
#[cfg(feature = "ssr")]
pub mod session;
mod two_step_page;

pub use add_email_page::AddEmailPage;
pub use change_email_page::{ChangeEmailPage, UndoEmailPage};
pub use client::{MintKeyField, ensure_guest};
pub use openid::{OidcConfirmPage, ProviderButtons};
pub use pages::{ConfirmPage, Notice, SignInPage};
pub use passkey::PasskeyButton;
pub use password_pages::{ForgotPasswordPage, ResetPage, SignUpPage, VerifyPage};
pub use two_step_page::TwoStepPage;

use leptos::prelude::*;
use paws_inside::User;

/// Anonymous sign-in: returns the session's user, creating a guest and a
/// session only when there is none. Idempotent; `mint_key` lets concurrent
/// calls from one browser (two tabs, a double click) share one guest.
#[server(prefix = "/api", endpoint = "auth/anonymous")]
pub async fn ensure_session(#[server(default)] mint_key: Option<String>) -> Result<User, ServerFnError> {
    session::user_or_mint(mint_key.as_deref()).await
}

/// The current user, if this browser has a session. Costs no query for readers.
#[server(prefix = "/api", endpoint = "auth/me")]
pub async fn current_user() -> Result<Option<User>, ServerFnError> {
    session::current().await
}

/// The current user as a resource for server-rendered components (the header);
/// islands learn what they need through their props.
#[derive(Clone, Copy)]
pub struct UserState {
    /// The user, once loaded.
    pub user: Resource<Result<Option<User>, ServerFnError>>,
}

impl UserState {
    /// Creates the resource and puts it in context. Call once, in `App`.
    pub fn provide() -> Self {
        let state = Self {
            user: Resource::new(|| (), |_| current_user()),
        };
        provide_context(state);
        state
    }

    /// The state from context.
    pub fn get() -> Self {
        expect_context::<Self>()
    }
}

/// An email address input with its label: every sign-in and sign-up form has one.
#[component]
fn EmailField(
    id: &'static str,
    #[prop(default = "Email")] label: &'static str,
    #[prop(default = "email")] autocomplete: &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type="email" name="email" required autocomplete=autocomplete maxlength="254" />
        </div>
    }
}
