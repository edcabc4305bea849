//! The suggestion use cases: suggest a venue (a guest is made if needed,
//! limited per day), and list one's own.

use super::{IS_IT_THIS_PLACE, Listed, Suggestion, SuggestionForm, duplicates, queries};
use crate::auth::Caller;
use crate::context::Context;
use crate::errors::{Kind, failure};
use crate::limits::{LimitedAction, TooMany};

/// Why a suggestion was not stored.
#[derive(Debug, thiserror::Error)]
pub enum SuggestionError {
    /// The form has mistakes.
    #[error("{0}")]
    Invalid(String),
    /// A listed venue has the same name close by, or the same address, and
    /// the person did not say theirs is a different place.
    #[error("{IS_IT_THIS_PLACE} “{}”, {}, {} is already listed. If yours is a different place, tick “It is a different place” and send it again.", .0.name, .0.address, .0.city)]
    LooksListed(Listed),
    /// Too many suggestions today (or guests lately).
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("{}", crate::errors::UNEXPECTED)]
    Unexpected(anyhow::Error),
}

failure!(mints SuggestionError { Invalid => Kind::Invalid, LooksListed => Kind::Invalid });

/// Validates (a mistake makes no guest), refuses a look-alike of a listed
/// venue unless the person said it is a different place, makes a guest if
/// needed, counts it against the daily limit and stores it as pending.
pub async fn suggest(
    ctx: &Context,
    caller: &mut Caller,
    form: &SuggestionForm,
    mint_key: Option<&str>,
) -> Result<(), SuggestionError> {
    let suggestion = form
        .validate()
        .map_err(|problems| SuggestionError::Invalid(problems.join(" ")))?;
    if !suggestion.different_place
        && let Some(listed) = duplicates::look_alikes(
            &ctx.pool,
            suggestion.name.as_str(),
            suggestion.address.as_str(),
            suggestion.city.as_str(),
            suggestion.location,
        )
        .await?
        .into_iter()
        .next()
    {
        return Err(SuggestionError::LooksListed(listed));
    }
    let user = crate::auth::guest::user_or_mint(ctx, caller, mint_key).await?;
    let owner = user.id().to_string();
    ctx.limit(&[(LimitedAction::Suggestion, &owner)])
        .await?
        .map_err(SuggestionError::TooMany)?;
    queries::create(&ctx.pool, user.id(), &suggestion).await?;
    Ok(())
}

/// The caller's suggestions (none without a session).
pub async fn mine(ctx: &Context, caller: &Caller) -> anyhow::Result<Vec<Suggestion>> {
    match caller.user() {
        Some(user) => queries::list_for_owner(&ctx.pool, user.id()).await,
        None => Ok(Vec::new()),
    }
}

/// The listed venues the form's place may repeat: what "Is it this place?"
/// links to. Only the name, address, city and point are read; with one of
/// them not what the form takes, nothing is listed.
pub async fn look_alikes(ctx: &Context, form: &SuggestionForm) -> anyhow::Result<Vec<Listed>> {
    use super::fields::{ADDRESS, CITY, NAME};
    let (Ok(name), Ok(address), Ok(city)) = (
        NAME.read(&form.name),
        ADDRESS.read(&form.address),
        CITY.read(&form.city),
    ) else {
        return Ok(Vec::new());
    };
    let location = match (form.lat.trim().parse(), form.lng.trim().parse()) {
        (Ok(lat), Ok(lng)) => crate::geo::LatLng::new(lat, lng),
        _ => None,
    };
    duplicates::look_alikes(
        &ctx.pool,
        name.as_str(),
        address.as_str(),
        city.as_str(),
        location,
    )
    .await
}
