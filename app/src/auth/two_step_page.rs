//! `/two-step`: the code after a first step (password, email link or code,
//! provider) for an account with two-step sign-in. A plain form to
//! `POST /auth/two-step`; the waiting sign-in is in this browser's cookie,
//! never in the page. Problems come back as a name in the URL, said here in
//! our words.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Our sentence for a problem's name; `None` for any other text.
fn problem(code: &str) -> Option<&'static str> {
    Some(match code {
        "wrong_code" => {
            "That code is not right, or it was used already. Type the newest code from your app, or a backup code."
        }
        "too_many" => "Too many codes in a short time. Please wait a few minutes, then try again.",
        "changed" => "Your sign-in changed while this was under way. Nothing was changed; please try again.",
        "left_behind" => {
            "This browser holds things added as a guest: sign in again and choose to bring them."
        }
        _ => return None,
    })
}

/// The second step's page.
#[component]
pub fn TwoStepPage() -> impl IntoView {
    let query = use_query_map();
    let error = query.with_untracked(|q| q.get("error")).unwrap_or_default();
    // Where the sign-in was headed when the page says; empty: where it said.
    let next = query
        .with_untracked(|q| q.get("next"))
        .map(|n| paws_inside::redirect::safe_next(Some(&n)))
        .unwrap_or_default();
    let gone = match error.as_str() {
        "expired" => {
            Some("That sign-in has expired (after ten minutes, or five wrong codes). Please sign in again.")
        }
        "banned" => Some("This account is suspended, so you cannot sign in to it."),
        _ => None,
    };
    view! {
        <Title text="Two-step sign-in" />
        <div class="narrow">
            <h1>"One more step"</h1>
            {match gone {
                Some(why) => view! {
                    <p class="error" role="alert" data-testid="two-step-gone">{why}</p>
                    <p><a class="button" href="/sign-in">"Sign in"</a></p>
                }.into_any(),
                None => view! {
                    <p class="lead">"Your account has two-step sign-in: type the code your authenticator app shows for Paws Inside."</p>
                    {problem(&error).map(|e| view! { <p class="error" role="alert" data-testid="two-step-problem">{e}</p> })}
                    <form method="post" action="/auth/two-step" class="form-card stack" data-testid="two-step-form">
                        <input type="hidden" name="next" value=next />
                        <div class="field">
                            <label for="two-step-code">"The code from your authenticator app"</label>
                            <input id="two-step-code" name="code" autocomplete="one-time-code" maxlength="12" required autofocus />
                            <p class="muted small">"Lost your phone? Type one of your backup codes instead."</p>
                        </div>
                        <label class="check" for="two-step-trust">
                            <input type="checkbox" id="two-step-trust" name="trust" value="1" />
                            <span>"Trust this browser for 30 days (it will not ask for a code here)"</span>
                        </label>
                        <button type="submit" class="button">"Sign in"</button>
                    </form>
                }.into_any(),
            }}
        </div>
    }
}
