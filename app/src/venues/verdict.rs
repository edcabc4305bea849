//! What dog owners' answers of the last year say about a venue (its stored
//! verdict, `paws_inside::venues::verdict`): a block at the top of the venue
//! page, with the latest answers dated (a "no" at once, marked whether an
//! admin reviewed it), and one line on each card. Each verdict has a sign
//! (✓ ? ✕ –) beside its words, so none is told by colour alone.

use leptos::prelude::*;
use paws_inside::venues::RecentAnswer;
use paws_inside::venues::verdict::Standing;

/// The verdict, how sure it is, its sentence and the latest answers.
#[component]
pub fn VerdictBlock(standing: Standing, recent: Vec<RecentAnswer>) -> impl IntoView {
    let verdict = standing.verdict();
    let answers = (!recent.is_empty()).then(|| {
        view! {
            <p class="verdict-answers-label small">"Latest answers to “dogs still welcome inside?”"</p>
            <ul class="verdict-answers small" data-testid="verdict-answers">
                {recent.into_iter().map(|a| view! { <li>{answer_line(&a)}</li> }).collect_view()}
            </ul>
        }
    });
    view! {
        <section class=format!("verdict verdict-{}", verdict.as_str()) aria-labelledby="verdict-heading"
            data-testid="verdict" data-verdict=verdict.as_str()>
            <h2 id="verdict-heading">
                <span class="verdict-mark" aria-hidden="true">{verdict.mark()}</span>
                {format!("Dogs inside: {}", standing.headline())}
            </h2>
            <p data-testid="verdict-sentence">{standing.sentence()}</p>
            {answers}
            <p class="small"><a href="#check-heading">"Were you here with your dog? Tell us"</a></p>
        </section>
    }
}

/// "No · 2 Dec 2026 · not yet reviewed".
fn answer_line(a: &RecentAnswer) -> String {
    match (a.welcome, a.reviewed) {
        (true, _) => format!("Yes · {}", a.day),
        (false, false) => format!("No · {} · not yet reviewed", a.day),
        (false, true) => format!("No · {} · reviewed", a.day),
    }
}

/// The verdict on a card: its sign and a short line.
#[component]
pub fn VerdictLine(standing: Standing) -> impl IntoView {
    let verdict = standing.verdict();
    view! {
        <p class=format!("verdict-line verdict-{}", verdict.as_str()) data-verdict=verdict.as_str()>
            <span class="verdict-mark" aria-hidden="true">{verdict.mark()}</span>
            {standing.card_line()}
        </p>
    }
}

#[cfg(test)]
mod tests {
    use paws_inside::venues::RecentAnswer;

    #[test]
    fn a_no_says_whether_it_was_reviewed() {
        let no = RecentAnswer {
            welcome: false,
            day: "2 Dec 2026".into(),
            reviewed: false,
        };
        assert_eq!(super::answer_line(&no), "No · 2 Dec 2026 · not yet reviewed");
        let yes = RecentAnswer { welcome: true, ..no };
        assert_eq!(super::answer_line(&yes), "Yes · 2 Dec 2026");
    }
}
