//! `/account/delete`: deleting an account on a page of its own, short enough
//! that a phone shows each step where the person is looking. It says exactly
//! what goes and what stays (with counts); when the sign-in here is older
//! than `REAUTH_MINUTES`, proving it is you again (password, an emailed code,
//! or a passkey) is the first step, right here — each through the ordinary
//! way in, so the one ending gives this browser a fresh session. The steps
//! are an island so a mistake shows beside the field, without a reload; as
//! plain forms they work without JavaScript too.

use super::api::DeleteAccount;
use crate::error::{action_error, user_message};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use paws_inside::contributions::Deletion;

#[cfg(feature = "ssr")]
use crate::auth::session::caller;
#[cfg(feature = "ssr")]
use crate::error::{ctx, fail};

/// Where every step comes back to.
const HERE: &str = "/account/delete";

/// What deleting the account takes and leaves, and which ways in can confirm it is you.
#[server(prefix = "/api", endpoint = "account/deletion")]
pub async fn deletion_info() -> Result<Deletion, ServerFnError> {
    paws_inside::auth::account::deletion(&ctx()?, &caller().await?)
        .await
        .map_err(fail)
}

/// Confirms it is you with your password (a fresh sign-in here).
#[server(prefix = "/api", endpoint = "account/reauth-password")]
pub async fn reauth_password(#[server(default)] password: String) -> Result<(), ServerFnError> {
    let mut caller = caller().await?;
    let done = paws_inside::auth::reauth::with_password(&ctx()?, &mut caller, password).await;
    if let Some(key) = done.as_ref().err().and_then(|e| e.second_step()) {
        return crate::auth::session::ask_second_step(key, HERE);
    }
    done.map_err(fail)?;
    leptos_axum::redirect(HERE);
    Ok(())
}

/// Emails a code to your own address; it works in this browser only.
#[server(prefix = "/api", endpoint = "account/reauth-send")]
pub async fn reauth_send_code() -> Result<(), ServerFnError> {
    use paws_inside::auth::cookies::SIGN_IN;
    let ctx = ctx()?;
    let held = crate::auth::session::flow_cookie(SIGN_IN).await;
    let asked = paws_inside::auth::reauth::send_code(&ctx, &caller().await?, HERE, held.as_deref())
        .await
        .map_err(fail)?;
    let cookie = SIGN_IN.set(
        ctx.config.https(),
        &asked.browser_key,
        ctx.config.link_minutes * 60,
    );
    if let (Some(response), Ok(cookie)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie),
    ) {
        response.append_header(http::header::SET_COOKIE, cookie);
    }
    leptos_axum::redirect(&format!("{HERE}?sent={}", asked.request));
    Ok(())
}

/// Confirms it is you with the emailed code (a fresh sign-in here).
#[server(prefix = "/api", endpoint = "account/reauth-code")]
pub async fn reauth_code(
    #[server(default)] request: String,
    #[server(default)] code: String,
) -> Result<(), ServerFnError> {
    use paws_inside::auth::cookies::SIGN_IN;
    let held = crate::auth::session::flow_cookie(SIGN_IN).await;
    let mut caller = caller().await?;
    let done =
        paws_inside::auth::reauth::with_code(&ctx()?, &mut caller, &request, &code, held.as_deref()).await;
    if let Some(key) = done.as_ref().err().and_then(|e| e.second_step()) {
        return crate::auth::session::ask_second_step(key, HERE);
    }
    done.map_err(fail)?;
    leptos_axum::redirect(HERE);
    Ok(())
}

/// `/account/delete`.
#[component]
pub fn DeleteAccountPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| deletion_info());
    let sent = use_query_map().with_untracked(|q| q.get("sent"));
    view! {
        <Title text="Delete your account" />
        <div class="narrow delete-account">
            <p><a href="/account">"← Your account"</a></p>
            <h1>"Delete your account"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    let sent = sent.clone();
                    Suspend::new(async move {
                        match data.await {
                            // Proving it is you comes first (where the
                            // page opens, on a phone too); the delete field
                            // comes after the warning it confirms.
                            Ok(info) if !info.recent => view! {
                                <DeleteSteps info=info.clone() sent />
                                {(info.passkeys > 0).then(|| view! {
                                    <span data-passkey-next=HERE hidden></span>
                                    <crate::auth::PasskeyButton kind="sign-in" label="Confirm with a passkey" />
                                })}
                                <Warning info />
                            }.into_any(),
                            Ok(info) => view! {
                                <Warning info=info.clone() />
                                <DeleteSteps info sent />
                            }.into_any(),
                            Err(err) => view! {
                                <p class="error" role="alert">{user_message(&err)}</p>
                                <p><a class="button" href="/sign-in?next=/account/delete">"Sign in"</a></p>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}

/// "3 photos" / "1 photo".
fn n(count: i64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// Exactly what goes and what stays.
#[component]
fn Warning(info: Deletion) -> impl IntoView {
    let shown = (info.venue_photos > 0).then(|| format!(" ({} of them on venue pages)", info.venue_photos));
    view! {
        <section class="form-card" aria-labelledby="goes" data-testid="deletion-warning">
            <h2 id="goes" class="h3">"What goes, for good"</h2>
            <ul>
                <li>"Your account, your sign-in ways and every signed-in device"</li>
                <li>{n(info.dogs, "dog", "dogs")}</li>
                <li>{n(info.photos, "photo", "photos")}{shown}</li>
                <li>{n(info.pending, "suggestion waiting for review", "suggestions waiting for review")}</li>
                {(info.reviewed > 0).then(|| view! { <li>{format!("the record of {}", n(info.reviewed, "reviewed suggestion", "reviewed suggestions"))}</li> })}
                {(info.reports > 0).then(|| view! { <li>{n(info.reports, "photo report you sent", "photo reports you sent")}</li> })}
            </ul>
            <h2 class="h3">"What stays"</h2>
            <ul>
                <li>{format!("{}, without your name: a place’s history keeps its count", n(info.answers, "“dogs still welcome?” answer", "“dogs still welcome?” answers"))}</li>
                {(info.listed > 0).then(|| view! { <li>{format!("{} you suggested, on the map", n(info.listed, "place", "places"))}</li> })}
            </ul>
            <p><a href="/mine">"See or remove any of it first"</a></p>
        </section>
    }
}

/// Step 1 when the sign-in here is old: prove it is you; step 2: type the
/// address (or "delete") and delete.
#[island(lazy)]
fn DeleteSteps(info: Deletion, sent: Option<String>) -> impl IntoView {
    crate::preload::island("delete_steps");
    let password = ServerAction::<ReauthPassword>::new();
    let send = ServerAction::<ReauthSendCode>::new();
    let code = ServerAction::<ReauthCode>::new();
    let delete = ServerAction::<DeleteAccount>::new();
    let (label, kind) = match info.email {
        Some(_) => ("Type your email address to confirm", "email"),
        None => ("Type the word delete to confirm", "text"),
    };
    if info.recent {
        return view! {
            <section class="form-card danger-zone" id="step" aria-labelledby="step-heading">
                <h2 id="step-heading" class="h3">"Delete it all"</h2>
                <ActionForm action=delete attr:class="stack">
                    <div class="field">
                        <label for="del-email">{label}</label>
                        <input id="del-email" type=kind name="confirm_email" autocomplete="off" required />
                    </div>
                    {action_error(delete.value())}
                    <button type="submit" class="button button-danger">"Delete my account"</button>
                </ActionForm>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="form-card" id="step" aria-labelledby="step-heading" data-testid="reauth">
            <h2 id="step-heading" class="h3">"First, confirm it’s you"</h2>
            <p>{format!("You signed in here more than {} minutes ago, so we ask again before anything is deleted.", info.minutes)}</p>
            {info.password.then(|| view! {
                <ActionForm action=password attr:class="stack">
                    <div class="field">
                        <label for="reauth-password">"Your password"</label>
                        <input id="reauth-password" type="password" name="password" autocomplete="current-password" required />
                    </div>
                    {action_error(password.value())}
                    <button type="submit" class="button">"Confirm with password"</button>
                </ActionForm>
            })}
            {info.code.then(|| match sent.clone() {
                None => view! {
                    <ActionForm action=send attr:class="stack">
                        {action_error(send.value())}
                        <button type="submit" class="button button-quiet">"Email me a code instead"</button>
                    </ActionForm>
                }.into_any(),
                Some(request) => view! {
                    <ActionForm action=code attr:class="stack">
                        <input type="hidden" name="request" value=request />
                        <div class="field">
                            <label for="reauth-code">"The code from the email we just sent"</label>
                            <input id="reauth-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required />
                        </div>
                        {action_error(code.value())}
                        <button type="submit" class="button">"Confirm with code"</button>
                    </ActionForm>
                }.into_any(),
            })}
            {(!info.password && !info.code && info.passkeys == 0).then(|| view! {
                <p><a class="button" href="/sign-in?next=/account/delete">"Sign in again"</a></p>
            })}
        </section>
    }
    .into_any()
}
