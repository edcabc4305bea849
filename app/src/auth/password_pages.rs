//! Pages of email + password accounts: sign up, forgot password, and the two
//! link pages (confirm address, choose a new password). Link pages only look at
//! the token; their buttons POST (`/auth/verify`, `/auth/reset` in the server).

use super::links::check_link;
use super::passwords::{RequestPasswordReset, SignUp};
use crate::error::user_message;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use paws_inside::{LinkCheck, LinkPreview};

/// `/sign-up`.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let sent = use_query_map().with_untracked(|q| q.get("sent").is_some());
    view! {
        <Title text="Create an account" />
        <div class="narrow">
            <h1>"Create an account"</h1>
            {if sent {
                view! {
                    <div class="form-card" role="status" data-testid="sign-up-sent">
                        <h2 class="h3">"Check your inbox"</h2>
                        <p>"We sent you an email. Open its link to finish: your account exists once the address is confirmed."</p>
                        <p class="muted">"Your dogs are safe in this browser in the meantime."</p>
                    </div>
                }.into_any()
            } else {
                view! {
                    <p class="lead">"Keep your dogs and photos with an email and password. Anything you added as a guest stays yours."</p>
                    <SignUpForm />
                }.into_any()
            }}
        </div>
    }
}

/// Email + password; success lands on `/sign-up?sent=1`.
#[island(lazy)]
fn SignUpForm() -> impl IntoView {
    crate::preload::island("sign_up_form");
    let action = ServerAction::<SignUp>::new();
    view! {
        <ActionForm action attr:class="form-card">
            <super::EmailField id="su-email" />
            <div class="field">
                <label for="su-password">"Password " <span class="muted">"(at least 8 characters)"</span></label>
                <input id="su-password" type="password" name="password" required autocomplete="new-password" minlength="8" maxlength="128" />
            </div>
            <crate::bot::BotFields />
            {crate::error::action_error(action.value())}
            <button type="submit" class="button">"Create account"</button>
            <p class="muted small">"Already have one? "<a href="/sign-in">"Sign in"</a></p>
        </ActionForm>
    }
}

/// `/forgot-password`.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let sent = use_query_map().with_untracked(|q| q.get("sent").is_some());
    view! {
        <Title text="Forgot your password?" />
        <div class="narrow">
            <h1>"Forgot your password?"</h1>
            {if sent {
                view! {
                    <div class="form-card" role="status" data-testid="reset-sent">
                        <h2 class="h3">"Check your inbox"</h2>
                        <p>"If the address has an account, a link to choose a new password is on its way. It works once, for 30 minutes."</p>
                    </div>
                }.into_any()
            } else {
                view! { <ForgotPasswordForm /> }.into_any()
            }}
        </div>
    }
}

/// Asks for a reset link; success lands on `/forgot-password?sent=1`.
#[component]
fn ForgotPasswordForm() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    view! {
        <ActionForm action attr:class="form-card">
            <super::EmailField id="fp-email" />
            {crate::error::action_error(action.value())}
            <button type="submit" class="button">"Email me a reset link"</button>
        </ActionForm>
    }
}

/// A link page's shared frame: looks at the token, shows `valid` or a
/// dead-link page, and the message of a form that came back (`?error=`).
fn link_page(kind: &'static str, valid: fn(String, LinkPreview) -> AnyView) -> impl IntoView {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    let error = move || {
        query
            .with(|q| q.get("error"))
            .and_then(|code| super::pages::problem(&code))
    };
    let check = Resource::new(token, move |t| check_link(t, kind.into()));
    view! {
        <div class="narrow">
            {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Suspense fallback=|| view! { <p class="muted">"Checking your link…"</p> }>
                {move || Suspend::new(async move {
                    match check.await {
                        Ok(LinkCheck::Valid(preview)) => valid(token(), preview),
                        Ok(dead) => view! { <super::pages::DeadLink check=dead /> }.into_any(),
                        Err(err) => view! { <p class="error" role="alert">{user_message(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// `/auth/verify?token=…`: confirm the address given at sign-up, which
/// finishes the sign-up. In another browser than the one that signed up, the
/// page asks for the password chosen there (only its owner knows it) and
/// whether to bring that browser's dogs.
#[component]
pub fn VerifyPage() -> impl IntoView {
    view! {
        <Title text="Confirm your address" />
        {link_page("email_verify", |token, preview| view! { <VerifyForm token preview /> }.into_any())}
    }
}

#[component]
fn VerifyForm(token: String, preview: LinkPreview) -> impl IntoView {
    let LinkPreview {
        masked_email,
        same_browser,
        requester,
        this_browser,
        unproven_password,
    } = preview;
    let requester = requester.filter(|d| !d.is_empty());
    let ask_password = unproven_password && !same_browser;
    view! {
        <h1>{format!("Confirm {masked_email}")}</h1>
        <form method="post" action="/auth/verify" class="form-card" data-testid="verify-form">
            <input type="hidden" name="token" value=token />
            {match (same_browser, requester) {
                (true, Some(data)) => view! {
                    <p>{format!("One click and your account is ready. Your {} will be in it.", data.describe())}</p>
                }.into_any(),
                (true, None) => view! { <p>"One click and your account is ready."</p> }.into_any(),
                (false, Some(data)) => view! {
                    <label class="check" for="bring-requester">
                        <input type="checkbox" id="bring-requester" name="bring_requester" value="true" />
                        <span>{format!(
                            "This sign-up was started in another browser, by a guest who added {}. Bring them into this account",
                            data.describe()
                        )}</span>
                    </label>
                }.into_any(),
                (false, None) => ().into_any(),
            }}
            {ask_password.then(|| view! {
                <div class="field">
                    <label for="vf-password">"The password you chose when signing up"</label>
                    <input id="vf-password" type="password" name="password" autocomplete="current-password" maxlength="128" />
                    <p class="muted small">"Type it to keep it. Leave it empty to go on without a password: you can set one on your account page."</p>
                </div>
            })}
            {this_browser.filter(|d| !d.is_empty()).map(|d| view! { <super::pages::BringThisBrowser data=d /> })}
            <button type="submit" class="button">"Confirm my address"</button>
        </form>
    }
}

/// `/auth/reset?token=…`: choose a new password. Like every link, it brings
/// the dogs of the browser that asked for it, and any other browser's only
/// when the person ticks it here, on a page that names the account.
#[component]
pub fn ResetPage() -> impl IntoView {
    view! {
        <Title text="Choose a new password" />
        {link_page("password_reset", |token, preview| view! { <ResetForm token preview /> }.into_any())}
    }
}

#[component]
fn ResetForm(token: String, preview: LinkPreview) -> impl IntoView {
    let LinkPreview {
        masked_email,
        same_browser,
        requester,
        this_browser,
        ..
    } = preview;
    let requester = requester.filter(|d| !d.is_empty());
    view! {
        <h1>{format!("New password for {masked_email}")}</h1>
        <form method="post" action="/auth/reset" class="form-card" data-testid="reset-form">
            <input type="hidden" name="token" value=token />
            <div class="field">
                <label for="rp-password">"New password " <span class="muted">"(at least 8 characters)"</span></label>
                <input id="rp-password" type="password" name="password" required autocomplete="new-password" minlength="8" maxlength="128" />
            </div>
            {match (same_browser, requester) {
                (true, Some(data)) => Some(view! {
                    <p>{format!("Your {} will be in this account.", data.describe())}</p>
                }.into_any()),
                (false, Some(data)) => Some(view! {
                    <label class="check" for="bring-requester">
                        <input type="checkbox" id="bring-requester" name="bring_requester" value="true" />
                        <span>{format!(
                            "This reset was asked for in another browser, by a guest who added {}. Bring them into {masked_email}",
                            data.describe()
                        )}</span>
                    </label>
                }.into_any()),
                _ => None,
            }}
            {this_browser.filter(|d| !d.is_empty()).map(|d| view! { <super::pages::BringThisBrowser data=d /> })}
            <p class="muted small">"Saving signs out every other device."</p>
            <button type="submit" class="button">"Save new password"</button>
        </form>
    }
}
