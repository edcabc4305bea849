//! Server functions of "My contributions": the lists, removing an answer,
//! opening and withdrawing a suggestion. (A photo is removed by
//! `photos::DeletePhoto`, the same server function the dog and venue pages use.)

use leptos::prelude::*;
use paws_inside::contributions::{Contributions, SuggestionDetail};

#[cfg(feature = "ssr")]
use crate::auth::session::caller;
#[cfg(feature = "ssr")]
use crate::error::{ctx, fail, unexpected};

/// This browser's contributions (`None`: no session, nothing added yet).
#[server(prefix = "/api", endpoint = "mine/get")]
pub async fn my_contributions(
    #[server(default)] photos: String,
    #[server(default)] answers: String,
    #[server(default)] suggestions: String,
) -> Result<Option<Contributions>, ServerFnError> {
    use paws_inside::contributions::Pages;
    let pages = Pages {
        photos: Pages::read(Some(&photos)),
        answers: Pages::read(Some(&answers)),
        suggestions: Pages::read(Some(&suggestions)),
    };
    paws_inside::contributions::flows::overview(&ctx()?, &caller().await?, pages)
        .await
        .map_err(unexpected)
}

/// Where a plain form goes back to: the page it came from on "My
/// contributions" (a same-site path), else its top.
#[cfg(feature = "ssr")]
fn back_to(back: &str) -> String {
    let back = paws_inside::redirect::safe_next(Some(back));
    if back.starts_with("/mine") {
        back
    } else {
        "/mine".to_owned()
    }
}

/// Removes one of the caller's "dogs still welcome?" answers.
#[server(prefix = "/api", endpoint = "mine/remove-answer")]
pub async fn remove_answer(
    #[server(default)] id: String,
    #[server(default)] back: String,
) -> Result<(), ServerFnError> {
    paws_inside::venues::checks::remove(&ctx()?, &caller().await?, &id)
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&back_to(&back));
    Ok(())
}

/// Removes one of the caller's photos from "My contributions" (a plain form:
/// back to the list it was on).
#[server(prefix = "/api", endpoint = "mine/remove-photo")]
pub async fn remove_photo(
    #[server(default)] id: String,
    #[server(default)] back: String,
) -> Result<(), ServerFnError> {
    paws_inside::photos::flows::delete(&ctx()?, &caller().await?, &id)
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&back_to(&back));
    Ok(())
}

/// One of the caller's suggestions, opened.
#[server(prefix = "/api", endpoint = "mine/suggestion")]
pub async fn my_suggestion(id: String) -> Result<SuggestionDetail, ServerFnError> {
    paws_inside::suggestions::withdraw::open(&ctx()?, &caller().await?, &id)
        .await
        .map_err(fail)
}

/// Withdraws one of the caller's pending suggestions.
#[server(prefix = "/api", endpoint = "mine/withdraw")]
pub async fn withdraw_suggestion(#[server(default)] id: String) -> Result<(), ServerFnError> {
    paws_inside::suggestions::withdraw::withdraw(&ctx()?, &caller().await?, &id)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/mine?withdrawn=1#suggestions");
    Ok(())
}

/// How many of each thing this browser's user added (`None`: no session).
#[server(prefix = "/api", endpoint = "mine/counts")]
pub async fn my_counts() -> Result<Option<paws_inside::GuestData>, ServerFnError> {
    paws_inside::contributions::flows::counts(&ctx()?, &caller().await?)
        .await
        .map_err(unexpected)
}
