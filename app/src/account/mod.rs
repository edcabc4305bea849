//! `/account`: email and verification, password, signed-in devices, sign out
//! and account deletion for members; what they made and "discard" for guests.

mod api;
mod delete;
mod mine;
mod mine_api;
mod suggestion;
mod two_step;
mod ways_in;

pub use api::{AccountView, SessionView, describe_agent};
pub use delete::DeleteAccountPage;
pub use mine::MinePage;
pub use suggestion::MySuggestionPage;
pub use two_step::TwoStepSetupPage;

use crate::error::{action_error, user_message};
use api::{ChangePassword, DiscardGuest, RevokeOtherSessions, RevokeSession, account};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/account`.
#[component]
pub fn AccountPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| account());
    view! {
        <Title text="Your account" />
        <div class="narrow">
            <h1>"Your account"</h1>
            <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(AccountView::Member { email, verified, has_password, display_name, sessions, linked, passkeys, two_step, trusted }) => {
                            view! {
                                <Member email verified has_password display_name sessions linked passkeys trusted />
                                <two_step::TwoStepCard left=two_step />
                                <DeleteCard />
                            }.into_any()
                        }
                        Ok(AccountView::Guest(made)) => view! { <Guest made /> }.into_any(),
                        Ok(AccountView::Visitor) => view! {
                            <p class="lead">"You are not signed in."</p>
                            <p><a class="button" href="/sign-in?next=/account">"Sign in"</a></p>
                        }.into_any(),
                        Err(err) => view! { <p class="error" role="alert">{user_message(&err)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn Member(
    email: Option<String>,
    verified: bool,
    has_password: bool,
    display_name: Option<String>,
    sessions: Vec<SessionView>,
    linked: Vec<ways_in::LinkedView>,
    passkeys: Vec<ways_in::PasskeyView>,
    trusted: Vec<two_step::TrustedView>,
) -> impl IntoView {
    let has_email = email.is_some();
    let query = use_query_map();
    let revoke = ServerAction::<RevokeSession>::new();
    let revoke_others = ServerAction::<RevokeOtherSessions>::new();
    let others = sessions.iter().filter(|s| !s.current).count();
    view! {
        {email.clone().map(|email| view! {
            <section class="form-card" aria-labelledby="acct-email">
                <h2 id="acct-email" class="h3">"Email"</h2>
                <p data-testid="account-email">{email}" "
                    {if verified {
                        view! { <span class="badge" data-testid="verified">"confirmed"</span> }.into_any()
                    } else {
                        view! { <span class="badge badge-warn" data-testid="unverified">"not confirmed yet — check your inbox"</span> }.into_any()
                    }}
                </p>
            </section>
        })}
        <MadeSummary />
        <ways_in::WaysIn email has_password linked passkeys />
        <section class="form-card" aria-labelledby="acct-name">
            <h2 id="acct-name" class="h3">"Your name on the site"</h2>
            {query.with_untracked(|q| q.get("name").is_some()).then(|| view! { <p class="notice" role="status">"Name saved."</p> })}
            <NameForm display_name />
        </section>
        {has_email.then(|| view! {
            <section class="form-card" aria-labelledby="acct-password">
                <h2 id="acct-password" class="h3">{if has_password { "Change password" } else { "Set a password" }}</h2>
                {query.with_untracked(|q| q.get("password").is_some()).then(|| view! { <p class="notice" role="status">"Password saved."</p> })}
                <PasswordForm has_password />
            </section>
        })}
        <section class="form-card" aria-labelledby="acct-sessions">
            <h2 id="acct-sessions" class="h3">"Signed-in devices"</h2>
            <ul class="session-list" data-testid="sessions">
                {sessions.into_iter().map(|s| view! {
                    <li>
                        <span>
                            <strong>{s.device.clone()}</strong>
                            {s.current.then(|| view! { " " <span class="badge">"this device"</span> })}
                            <br />
                            <span class="muted small">{format!("Last active {}", s.last_seen)}</span>
                        </span>
                        {(!s.current).then(|| view! {
                            <ActionForm action=revoke>
                                <input type="hidden" name="handle" value=s.handle />
                                <button type="submit" class="button button-quiet" aria-label=format!("Sign out {}", s.device)>"Sign out"</button>
                            </ActionForm>
                        })}
                    </li>
                }).collect_view()}
            </ul>
            {action_error(revoke.value())}
            <two_step::TrustedList trusted />
            {(others > 0).then(|| view! {
                <ActionForm action=revoke_others>
                    <button type="submit" class="button button-quiet">"Sign out all other devices"</button>
                </ActionForm>
            })}
            <form method="post" action="/auth/sign-out">
                <button type="submit" class="button">"Sign out"</button>
            </form>
        </section>
    }
}

/// The way to the deletion page, last on the account page.
#[component]
fn DeleteCard() -> impl IntoView {
    view! {
        <section class="form-card danger-zone" aria-labelledby="acct-delete">
            <h2 id="acct-delete" class="h3">"Delete account"</h2>
            <p>"Deleting your account removes your dogs, your photos and your pending suggestions; your “dogs still welcome?” answers stay without your name. The next page lists exactly what goes, with counts."</p>
            <p><a class="button button-danger" href="/account/delete">"Delete my account…"</a></p>
        </section>
    }
}

#[component]
fn Guest(made: paws_inside::GuestData) -> impl IntoView {
    let discard = ServerAction::<DiscardGuest>::new();
    view! {
        <section class="form-card">
            <p class="lead" data-testid="guest-summary">{format!("You are browsing as a guest. So far you have added {}.", made.describe())}</p>
            <p>"Sign in to keep it: your dogs and photos come with you."</p>
            <p><a href="/mine">"See everything you added (and remove any of it)"</a></p>
            <p><a class="button" href="/sign-in?next=/account">"Sign in to keep it"</a></p>
            <crate::auth::PasskeyButton kind="register" label="Keep my dogs with a passkey" />
        </section>
        {(!made.is_empty()).then(|| view! {
            <section class="form-card danger-zone">
                <h2 class="h3">"Discard my guest data"</h2>
                {(made.checks > 0).then(|| view! { <p class="small">"Your “dogs still welcome?” answers stay, without a name: a place’s history keeps its count."</p> })}
                <ActionForm action=discard attr:class="stack">
                    <label class="check" for="discard-confirm">
                        <input type="checkbox" id="discard-confirm" name="confirm" value="1" required />
                        <span>{discard_label(&made)}</span>
                    </label>
                    {action_error(discard.value())}
                    <button type="submit" class="button button-danger">"Discard my guest data"</button>
                </ActionForm>
            </section>
        })}
    }
}

/// Set or change the password (the current one is asked for when there is one).
#[component]
fn PasswordForm(has_password: bool) -> impl IntoView {
    let password = ServerAction::<ChangePassword>::new();
    view! {
        <ActionForm action=password attr:class="stack">
            {has_password.then(|| view! {
                <div class="field">
                    <label for="pw-current">"Current password"</label>
                    <input id="pw-current" type="password" name="current" autocomplete="current-password" required />
                </div>
            })}
            <div class="field">
                <label for="pw-new">"New password " <span class="muted">"(at least 8 characters)"</span></label>
                <input id="pw-new" type="password" name="new_password" autocomplete="new-password" minlength="8" maxlength="128" required />
            </div>
            <label class="check" for="pw-others">
                <input type="checkbox" id="pw-others" name="sign_out_others" value="1" />
                <span>"Sign out my other devices"</span>
            </label>
            {action_error(password.value())}
            <button type="submit" class="button">"Save password"</button>
        </ActionForm>
    }
}

/// The display name: venues you suggested say "Suggested by" it (or "a
/// member" without one).
#[component]
fn NameForm(display_name: Option<String>) -> impl IntoView {
    let action = ServerAction::<api::SetDisplayName>::new();
    view! {
        <ActionForm action>
            <div class="field">
                <label for="acct-display-name">"Name shown on places you suggested"</label>
                <input id="acct-display-name" name="name" maxlength="60" autocomplete="nickname" value=display_name.unwrap_or_default() />
            </div>
            {crate::error::action_error(action.value())}
            <button type="submit" class="button button-quiet">"Save name"</button>
        </ActionForm>
    }
}

/// "My contributions" in short: the counts, linking to `/mine`.
#[component]
fn MadeSummary() -> impl IntoView {
    let counts = Resource::new(|| (), |_| mine_api::my_counts());
    view! {
        <section class="form-card" aria-labelledby="acct-made">
            <h2 id="acct-made" class="h3">"My contributions"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    counts.await.ok().flatten().map(|counts| view! { <mine::Counts counts /> })
                })}
            </Suspense>
            <p><a href="/mine">"See, remove or withdraw what you added"</a></p>
        </section>
    }
}

/// What discarding a guest deletes: everything but its answers, which stay
/// without a name.
fn discard_label(made: &paws_inside::GuestData) -> String {
    let goes = paws_inside::GuestData { checks: 0, ..*made };
    if goes.is_empty() {
        "Forget this guest (its answers stay, without a name)".to_owned()
    } else {
        format!("Delete my {} for good", goes.describe())
    }
}
