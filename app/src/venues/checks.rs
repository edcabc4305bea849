//! "Were you here with your dog? Dogs still welcome inside: yes / no" on the
//! venue page, with what dog owners said so far. One tap, a guest is made if
//! needed; without JavaScript the form posts and the page comes back with the
//! answer shown.

use leptos::prelude::*;
use paws_inside::venues::Checks;

/// The venue's counts and this browser's answer today (`None`: no such venue).
#[server(prefix = "/api", endpoint = "venues/checks")]
pub async fn venue_checks(#[server(default)] slug: String) -> Result<Option<Checks>, ServerFnError> {
    let caller = crate::auth::session::caller().await?;
    paws_inside::venues::checks::for_venue(&crate::error::ctx()?, &caller, &slug)
        .await
        .map_err(crate::error::unexpected)
}

/// Stores today's answer (`yes` or `no`) and returns the counts as they are now.
#[server(prefix = "/api", endpoint = "venues/check")]
pub async fn check_venue(
    #[server(default)] slug: String,
    #[server(default)] answer: String,
    #[server(default)] mint_key: Option<String>,
) -> Result<Checks, ServerFnError> {
    let mut caller = crate::auth::session::caller().await?;
    paws_inside::venues::checks::answer(
        &crate::error::ctx()?,
        &mut caller,
        &slug,
        &answer,
        mint_key.as_deref(),
    )
    .await
    .map_err(crate::error::fail)
}

/// "Last confirmed by a dog owner on 2 Dec 2026 · 3 confirmations" (ever;
/// the verdict at the top of the page says what the last year's answers say,
/// so nothing here when no one said yes).
fn confirmed(c: &Checks) -> String {
    match (&c.last_confirmed_on, c.confirmations) {
        (Some(day), n) => format!(
            "Last confirmed by a dog owner on {day} · {n} confirmation{}",
            if n == 1 { "" } else { "s" }
        ),
        (None, _) => String::new(),
    }
}

/// The question, the two answers and the counts; an answer updates them in place.
#[island(lazy)]
pub fn DogCheck(slug: String, checks: Checks) -> impl IntoView {
    crate::preload::island("dog_check");
    let action = ServerAction::<CheckVenue>::new();
    let current = Memo::new(move |_| match action.value().get() {
        Some(Ok(now)) => now,
        _ => checks.clone(),
    });
    let answer = move |value: &'static str, label: &'static str| {
        let chosen = move || current.with(|c| c.mine_today == Some(value == "yes"));
        view! {
            <button type="submit" name="answer" value=value class="button button-quiet"
                aria-pressed=move || chosen().to_string()>{label}</button>
        }
    };
    view! {
        <section class="venue-check" aria-labelledby="check-heading" data-testid="dog-check">
            <h2 id="check-heading">"Were you here with your dog?"</h2>
            <ActionForm action attr:class="check-form">
                <input type="hidden" name="slug" value=slug />
                <crate::auth::MintKeyField />
                <p id="check-question">"Dogs still welcome inside?"</p>
                <div class="button-row" role="group" aria-labelledby="check-question">
                    {answer("yes", "Yes")}
                    {answer("no", "No")}
                </div>
            </ActionForm>
            {crate::error::action_error(action.value())}
            <p role="status" data-testid="my-check">
                {move || current.with(|c| match c.mine_today {
                    Some(true) => "You said yes today. Thank you!",
                    Some(false) => "You said no today. Thank you, we will look into it.",
                    None => "",
                })}
            </p>
            <p class="muted small" data-testid="confirmed">{move || current.with(confirmed)}</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use paws_inside::venues::Checks;

    #[test]
    fn says_when_and_how_often() {
        let mut c = Checks::default();
        assert_eq!(super::confirmed(&c), "");
        c.confirmations = 1;
        c.last_confirmed_on = Some("2 Dec 2026".into());
        assert_eq!(
            super::confirmed(&c),
            "Last confirmed by a dog owner on 2 Dec 2026 · 1 confirmation"
        );
        c.confirmations = 3;
        assert!(super::confirmed(&c).ends_with("3 confirmations"));
    }
}
