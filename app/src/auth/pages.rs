//! Sign-in pages: ask for a link (`/sign-in`), and the confirm page a link opens
//! (`/auth/confirm?token=…`). Opening the link only shows what will happen; the
//! button POSTs, so mail scanners that fetch links never sign anyone in.

use super::links::{RequestMagicLink, check_link, take_notice};
use super::passwords::SignInPassword;
use crate::error::user_message;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use paws_inside::{GuestData, LinkCheck, LinkPreview};

/// `/sign-in`: a link by email (no password needed), or email + password.
/// Both work without JavaScript; success always lands on a new page.
#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let flag = move |key: &str| query.with(|q| q.get(key).is_some());
    let next = query.with_untracked(|q| q.get("next").unwrap_or_default());
    view! {
        <Title text="Sign in" />
        <div class="narrow">
            <h1>"Sign in"</h1>
            {flag("deleted").then(|| view! { <p class="notice" role="status">"Your account and everything in it were deleted."</p> })}
            {flag("verified").then(|| view! { <p class="notice" role="status">"Your address is confirmed. Sign in to continue."</p> })}
            {if flag("sent") {
                // `sent` names the mail (its token's id) the code belongs to.
                let request = query.with_untracked(|q| q.get("sent")).filter(|r| uuid::Uuid::parse_str(r).is_ok());
                let error = query.with_untracked(|q| q.get("error")).and_then(|code| problem(&code));
                view! {
                    <div class="form-card" role="status" data-testid="link-sent">
                        <h2 class="h3">"Check your inbox"</h2>
                        <p>"If the address is right, a sign-in link is on its way, with a code. Both work once, for a few minutes."</p>
                        <p class="muted">"Nothing there? Check the spam folder, or "<a href="/sign-in">"ask for another link"</a>"."</p>
                    </div>
                    {request.map(|request| view! { <CodeForm request error /> })}
                }.into_any()
            } else {
                let error = query.with_untracked(|q| q.get("error")).and_then(|code| problem(&code));
                view! {
                    {error.map(|e| view! { <p class="error" role="alert" data-testid="sign-in-problem">{e}</p> })}
                    <p class="lead">"No password needed: we email you a link. Dogs and photos you added as a guest come with you."</p>
                    <div class="provider-buttons">
                        <super::ProviderButtons next=next.clone() />
                        <super::PasskeyButton kind="sign-in" label="Sign in with a passkey" />
                    </div>
                    <SignInForms next />
                }.into_any()
            }}
        </div>
    }
}

/// Typing the mail's code here signs this browser in (and brings what it
/// holds), wherever the mail was read. A plain form: no script needed.
#[component]
fn CodeForm(request: String, error: Option<String>) -> impl IntoView {
    view! {
        <form method="post" action="/auth/code" class="form-card" data-testid="code-form">
            <input type="hidden" name="request" value=request />
            <div class="field">
                <label for="signin-code">"Reading the email on another device? Type its code here"</label>
                <input id="signin-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                    required maxlength="12" placeholder="1234 5678" />
            </div>
            {error.map(|e| view! { <p class="error" role="alert" data-testid="code-problem">{e}</p> })}
            <button type="submit" class="button">"Sign in with the code"</button>
        </form>
    }
}

/// The two sign-in forms; what was typed stays when the server says no.
#[island(lazy)]
fn SignInForms(next: String) -> impl IntoView {
    crate::preload::island("sign_in_forms");
    let action = ServerAction::<RequestMagicLink>::new();
    let with_password = ServerAction::<SignInPassword>::new();
    let next_again = next.clone();
    view! {
        <ActionForm action attr:class="form-card">
            <super::EmailField id="signin-email" autocomplete="email webauthn" />
            <input type="hidden" name="next" value=next />
            <crate::bot::BotFields />
            {crate::error::action_error(action.value())}
            <button type="submit" class="button">"Email me a sign-in link"</button>
        </ActionForm>
        <h2 class="h3">"Or use your password"</h2>
        <ActionForm action=with_password attr:class="form-card">
            <super::EmailField id="pw-email" label="Email address" autocomplete="username" />
            <div class="field">
                <label for="pw-password">"Password"</label>
                <input id="pw-password" type="password" name="password" required autocomplete="current-password" maxlength="128" />
            </div>
            <input type="hidden" name="next" value=next_again />
            <crate::bot::BotFields />
            {crate::error::action_error(with_password.value())}
            <button type="submit" class="button">"Sign in with password"</button>
            <p class="muted small"><a href="/forgot-password">"Forgot your password?"</a>" · "<a href="/sign-up">"Create an account"</a></p>
        </ActionForm>
    }
}

/// `/auth/confirm?token=…`: what signing in will do, and the button that does it.
#[component]
pub fn ConfirmPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    let error = move || query.with(|q| q.get("error")).and_then(|code| problem(&code));
    let check = Resource::new(token, |t| check_link(t, "magic_link".into()));
    view! {
        <Title text="Confirm sign-in" />
        <div class="narrow">
            {move || error().map(|e| view! { <p class="error" role="alert" data-testid="link-problem">{e}</p> })}
            <Suspense fallback=|| view! { <p class="muted">"Checking your link…"</p> }>
                {move || Suspend::new(async move {
                    match check.await {
                        Ok(LinkCheck::Valid(preview)) => view! { <ConfirmForm token=token() preview /> }.into_any(),
                        Ok(dead) => view! { <DeadLink check=dead /> }.into_any(),
                        Err(err) => view! { <p class="error" role="alert">{user_message(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn ConfirmForm(token: String, preview: LinkPreview) -> impl IntoView {
    let LinkPreview {
        masked_email,
        same_browser,
        requester,
        this_browser,
        ..
    } = preview;
    let requester = requester.filter(|d| !d.is_empty());
    let this_browser = this_browser.filter(|d| !d.is_empty());
    let comes_along = move |d: GuestData| format!("Your {} will come with you.", d.describe());
    view! {
        <h1>{format!("Sign in as {masked_email}")}</h1>
        <form method="post" action="/auth/confirm" class="form-card" data-testid="confirm-form">
            <input type="hidden" name="token" value=token />
            {match (same_browser, requester) {
                (true, data) => view! {
                    <p data-testid="claim-summary">
                        {data.map(comes_along).unwrap_or_else(|| "You are about to sign in.".to_owned())}
                    </p>
                    <button type="submit" class="button">"Sign in"</button>
                }.into_any(),
                (false, Some(data)) => view! {
                    <p data-testid="claim-summary">{format!(
                        "This link was asked for in another browser, by a guest who added {}. Do you want to bring that into this account?",
                        data.describe()
                    )}</p>
                    {this_browser.map(|d| view! { <BringThisBrowser data=d /> })}
                    <div class="button-row">
                        <button type="submit" class="button" name="bring_requester" value="true">"Bring them and sign in"</button>
                        <button type="submit" class="button button-quiet" name="bring_requester" value="false">"Just sign me in"</button>
                    </div>
                }.into_any(),
                (false, None) => view! {
                    <p data-testid="claim-summary">"You are about to sign in."</p>
                    {this_browser.map(|d| view! { <BringThisBrowser data=d /> })}
                    <button type="submit" class="button">"Sign in"</button>
                }.into_any(),
            }}
        </form>
    }
}

/// This browser's own guest data moves only when the person ticks the box:
/// a link someone else sent must not silently pull your dogs into their account.
#[component]
pub(super) fn BringThisBrowser(data: GuestData) -> impl IntoView {
    view! {
        <label class="check" for="bring-this">
            <input type="checkbox" id="bring-this" name="bring_this_browser" value="true" />
            <span>{format!("Also bring the {} added in this browser", data.describe())}</span>
        </label>
    }
}

#[component]
pub(super) fn DeadLink(check: LinkCheck) -> impl IntoView {
    let (title, why) = match check {
        LinkCheck::Used => (
            "This link was already used",
            "Each sign-in link works once, and a newer link replaces older ones.",
        ),
        LinkCheck::TriedOut => (
            "This email was closed after too many wrong codes",
            "Its link and code no longer work, and we sent nothing new.",
        ),
        LinkCheck::Expired => (
            "This link has expired",
            "Sign-in links only work for a few minutes.",
        ),
        _ => ("This link does not work", "It may have been cut off or mistyped."),
    };
    view! {
        <h1>{title}</h1>
        <p class="lead" data-testid="dead-link">{why}" Send yourself a new one:"</p>
        <NewLinkForm />
    }
}

/// "Send me a new link" under a dead link.
#[component]
fn NewLinkForm() -> impl IntoView {
    let action = ServerAction::<RequestMagicLink>::new();
    view! {
        <ActionForm action attr:class="form-card">
            <super::EmailField id="again-email" />
            {crate::error::action_error(action.value())}
            <button type="submit" class="button">"Send me a new link"</button>
        </ActionForm>
    }
}

/// A one-time message after a claim, shown on whatever page comes next.
#[component]
pub fn Notice() -> impl IntoView {
    let notice = Resource::new(|| (), |_| take_notice());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                notice.await.ok().flatten().map(|text| view! {
                    <p class="notice" role="status" data-testid="claim-notice">{text}</p>
                })
            })}
        </Suspense>
    }
}

/// Our sentence for a problem code in a link page's URL (never the URL's text).
#[cfg(feature = "ssr")]
pub(super) fn problem(code: &str) -> Option<String> {
    paws_inside::auth::LinkError::message_for(code)
        .or_else(|| paws_inside::auth::OidcError::message_for(code))
}
#[cfg(not(feature = "ssr"))]
pub(super) fn problem(_code: &str) -> Option<String> {
    None
}
