//! The suggestion use cases: suggest a venue (a guest is made if needed,
//! limited per day), and list one's own.

use super::{Suggestion, SuggestionForm, queries};
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
    /// Too many suggestions today (or guests lately).
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("{}", crate::errors::UNEXPECTED)]
    Unexpected(anyhow::Error),
}

failure!(mints SuggestionError { Invalid => Kind::Invalid });

/// Validates (a mistake makes no guest), makes a guest if needed, counts it
/// against the daily limit and stores it as pending.
pub async fn suggest(
    ctx: &Context,
    caller: &mut Caller,
    form: &SuggestionForm,
    mint_key: Option<&str>,
) -> Result<(), SuggestionError> {
    let suggestion = form
        .validate()
        .map_err(|problems| SuggestionError::Invalid(problems.join(" ")))?;
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
