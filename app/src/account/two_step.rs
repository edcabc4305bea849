//! Two-step sign-in on the account page: the card (on or off, the trusted
//! browsers, turning it off with a fresh code) and `/account/two-step`
//! (the QR code and the secret, the first code, then the backup codes shown
//! once). Showing the codes needs the answer in the page: that form is an
//! island; the rest are plain forms.

use crate::error::{action_error, user_message};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::auth::session::caller;
#[cfg(feature = "ssr")]
use crate::error::{ctx, fail};

/// A browser trusted to skip the code, as the account page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrustedView {
    /// Its id, for forgetting it.
    pub id: String,
    /// "Firefox 121 on Mac, since 7 Dec 2026".
    pub device: String,
    /// "until 6 Jan 2027".
    pub until: String,
}

/// The setup page's secret and QR code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetupData {
    /// The secret in groups of four.
    pub secret: String,
    /// The QR code, an `<svg>` drawn on our server.
    pub qr_svg: String,
}

/// The trusted browsers of `user`, for the account page.
#[cfg(feature = "ssr")]
pub async fn trusted_views(
    ctx: &paws_inside::context::Context,
    user: uuid::Uuid,
) -> anyhow::Result<Vec<TrustedView>> {
    use paws_inside::time::date;
    Ok(paws_inside::auth::two_step::trusted(ctx, user)
        .await?
        .into_iter()
        .map(|t| TrustedView {
            id: t.id.to_string(),
            device: format!(
                "{}, since {}",
                super::describe_agent(&t.user_agent),
                date(t.since)
            ),
            until: format!("until {}", date(t.until)),
        })
        .collect())
}

/// Starts the setup: a new secret, shown on the next page.
#[server(prefix = "/api", endpoint = "account/two-step/begin")]
pub async fn begin_two_step() -> Result<(), ServerFnError> {
    paws_inside::auth::two_step::begin(&ctx()?, &caller().await?)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/account/two-step");
    Ok(())
}

/// The setup under way, if any.
#[server(prefix = "/api", endpoint = "account/two-step/setup")]
pub async fn two_step_setup() -> Result<Option<SetupData>, ServerFnError> {
    let setup = paws_inside::auth::two_step::setup_of(&ctx()?, &caller().await?)
        .await
        .map_err(fail)?;
    Ok(setup.map(|s| SetupData {
        secret: s.secret,
        qr_svg: s.qr_svg,
    }))
}

/// Turns it on with the first code; the backup codes, to show once.
#[server(prefix = "/api", endpoint = "account/two-step/enable")]
pub async fn enable_two_step(#[server(default)] code: String) -> Result<Vec<String>, ServerFnError> {
    let mut caller = caller().await?;
    paws_inside::auth::two_step::enable(&ctx()?, &mut caller, &code)
        .await
        .map_err(fail)
}

/// Turns it off with a fresh code.
#[server(prefix = "/api", endpoint = "account/two-step/disable")]
pub async fn disable_two_step(#[server(default)] code: String) -> Result<(), ServerFnError> {
    let mut caller = caller().await?;
    paws_inside::auth::two_step::disable(&ctx()?, &mut caller, &code)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/account?two_step=off");
    Ok(())
}

/// Forgets one trusted browser.
#[server(prefix = "/api", endpoint = "account/two-step/forget")]
pub async fn forget_browser(#[server(default)] id: String) -> Result<(), ServerFnError> {
    paws_inside::auth::two_step::forget(&ctx()?, &caller().await?, &id)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/account");
    Ok(())
}

/// The account page's card. `left`: backup codes left when it is on.
#[component]
pub fn TwoStepCard(left: Option<usize>) -> impl IntoView {
    let begin = ServerAction::<BeginTwoStep>::new();
    let disable = ServerAction::<DisableTwoStep>::new();
    let off = leptos_router::hooks::use_query_map().with_untracked(|q| q.get("two_step").is_some());
    let body = match left {
        None => view! {
            {off.then(|| view! { <p class="notice" role="status">"Two-step sign-in is off."</p> })}
            <p>"After your password or an email link, also ask for a code from an app on your phone. Someone who learns your password still cannot get in. A passkey counts as both steps."</p>
            <ActionForm action=begin>
                {action_error(begin.value())}
                <button type="submit" class="button">"Set up two-step sign-in"</button>
            </ActionForm>
        }
        .into_any(),
        Some(left) => view! {
            <p data-testid="two-step-on"><span class="badge">"on"</span>" "{backup_left(left)}</p>
            <ActionForm action=disable attr:class="stack">
                <div class="field">
                    <label for="two-step-off-code">"To turn it off, type a code from your app (or a backup code)"</label>
                    <input id="two-step-off-code" name="code" autocomplete="one-time-code" maxlength="12" required />
                </div>
                {action_error(disable.value())}
                <button type="submit" class="button button-quiet">"Turn two-step sign-in off"</button>
            </ActionForm>
        }
        .into_any(),
    };
    view! {
        <section class="form-card" aria-labelledby="acct-two-step">
            <h2 id="acct-two-step" class="h3">"Two-step sign-in"</h2>
            {body}
        </section>
    }
}

/// Browsers that skip the code, listed with the signed-in devices.
#[component]
pub fn TrustedList(trusted: Vec<TrustedView>) -> impl IntoView {
    let forget = ServerAction::<ForgetBrowser>::new();
    (!trusted.is_empty()).then(|| {
        view! {
            <h3>"Browsers that skip the two-step code"</h3>
            <ul class="session-list" data-testid="trusted-browsers">
                {trusted.into_iter().map(|t| view! {
                    <li>
                        <span><strong>{t.device.clone()}</strong><br /><span class="muted small">{t.until}</span></span>
                        <ActionForm action=forget>
                            <input type="hidden" name="id" value=t.id />
                            <button type="submit" class="button button-quiet" aria-label=format!("Ask for the code again on {}", t.device)>"Ask again"</button>
                        </ActionForm>
                    </li>
                }).collect_view()}
            </ul>
            {action_error(forget.value())}
        }
    })
}

fn backup_left(left: usize) -> String {
    match left {
        0 => "No backup codes left: turn it off and on again for new ones.".to_owned(),
        1 => "1 backup code left.".to_owned(),
        n => format!("{n} backup codes left."),
    }
}

/// `/account/two-step`.
#[component]
pub fn TwoStepSetupPage() -> impl IntoView {
    let setup = Resource::new(|| (), |_| two_step_setup());
    view! {
        <Title text="Set up two-step sign-in" />
        <div class="narrow">
            <p><a href="/account">"← Your account"</a></p>
            <h1>"Set up two-step sign-in"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match setup.await {
                        Ok(Some(data)) => view! { <EnableSteps data /> }.into_any(),
                        Ok(None) => view! {
                            <p>"Nothing is being set up. Start from your account page."</p>
                            <p><a class="button" href="/account">"Your account"</a></p>
                        }.into_any(),
                        Err(err) => view! {
                            <p class="error" role="alert">{user_message(&err)}</p>
                            <p><a class="button" href="/sign-in?next=/account">"Sign in"</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// The key and the first code, then (the key gone from the page) the
/// backup codes, shown this once.
#[island(lazy)]
fn EnableSteps(data: SetupData) -> impl IntoView {
    crate::preload::island("enable_steps");
    let enable = ServerAction::<EnableTwoStep>::new();
    let on = move || matches!(enable.value().get(), Some(Ok(_)));
    view! {
        <Show when=move || !on()>
            <section class="form-card" aria-labelledby="scan">
                <h2 id="scan" class="h3">"1. Add Paws Inside to your authenticator app"</h2>
                <p>"Scan this with an app such as Google Authenticator, Microsoft Authenticator, 1Password or Aegis."</p>
                <div class="qr" inner_html=data.qr_svg.clone()></div>
                <p>"Or type this key into the app:"</p>
                <p><code class="secret" data-testid="two-step-secret">{data.secret.clone()}</code></p>
            </section>
        </Show>
        <section class="form-card" aria-labelledby="confirm-code">
            {move || match enable.value().get() {
                Some(Ok(codes)) => view! {
                    <h2 id="confirm-code" class="h3">"2. Keep your backup codes"</h2>
                    <p class="notice" role="status">"Two-step sign-in is on. Your other devices were signed out."</p>
                    <p>"If you lose your phone, each of these codes signs you in once. Write them down or save them somewhere safe: this is the only time we show them."</p>
                    <ul class="backup-codes" data-testid="backup-codes">
                        {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                    </ul>
                    <p><a class="button" href="/account">"I have saved them"</a></p>
                }.into_any(),
                _ => view! {
                    <h2 id="confirm-code" class="h3">"2. Type the code the app shows"</h2>
                    <ActionForm action=enable attr:class="stack">
                        <div class="field">
                            <label for="two-step-code">"Six-digit code"</label>
                            <input id="two-step-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="7" required />
                        </div>
                        {action_error(enable.value())}
                        <button type="submit" class="button">"Turn on two-step sign-in"</button>
                    </ActionForm>
                }.into_any(),
            }}
        </section>
    }
}
