//! The dog use cases, each scoped to the caller: another person's dog answers
//! exactly like a dog that does not exist.

use super::{Dog, DogForm, NewDog, queries};
use crate::auth::Caller;
use crate::context::Context;
use crate::errors::{Kind, failure};
use crate::limits::TooMany;
use uuid::Uuid;

/// Why a dog was not saved.
#[derive(Debug, thiserror::Error)]
pub enum DogError {
    /// The form has mistakes; every problem in one sentence each.
    #[error("{0}")]
    Invalid(String),
    /// Not a dog of yours.
    #[error("That dog could not be found.")]
    NotFound,
    /// Too many guests from this client lately.
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("{}", crate::errors::UNEXPECTED)]
    Unexpected(anyhow::Error),
}

failure!(mints DogError {
    Invalid => Kind::Invalid,
    NotFound => Kind::NotFound,
});

fn validate(form: &DogForm) -> Result<NewDog, DogError> {
    form.validate(crate::time::today_utc())
        .map_err(|e| DogError::Invalid(e.summary()))
}

/// The caller's dogs (none for a visitor: no guest is made for reading).
pub async fn mine(ctx: &Context, caller: &Caller) -> anyhow::Result<Vec<Dog>> {
    match caller.user() {
        Some(user) => queries::list_for_owner(&ctx.pool, user.id()).await,
        None => Ok(Vec::new()),
    }
}

/// One of the caller's dogs, by the id as typed.
pub async fn one(ctx: &Context, caller: &Caller, id: &str) -> anyhow::Result<Option<Dog>> {
    match (caller.user(), Uuid::parse_str(id)) {
        (Some(user), Ok(id)) => queries::get_owned(&ctx.pool, user.id(), id).await,
        _ => Ok(None),
    }
}

/// "Add your dog": validates first (a mistake makes no guest), then makes a
/// guest if needed and stores the dog.
pub async fn add(
    ctx: &Context,
    caller: &mut Caller,
    form: &DogForm,
    mint_key: Option<&str>,
) -> Result<Uuid, DogError> {
    let dog = validate(form)?;
    let user = crate::auth::guest::user_or_mint(ctx, caller, mint_key).await?;
    Ok(queries::create(&ctx.pool, user.id(), &dog).await?)
}

/// Saves changes to one of the caller's dogs.
pub async fn update(ctx: &Context, caller: &Caller, id: &str, form: &DogForm) -> Result<Uuid, DogError> {
    let dog = validate(form)?;
    let (Some(user), Ok(id)) = (caller.user(), Uuid::parse_str(id)) else {
        return Err(DogError::NotFound);
    };
    let shown = queries::update_owned(&ctx.pool, user.id(), id, &dog)
        .await?
        .ok_or(DogError::NotFound)?;
    if shown {
        ctx.public_changed();
    }
    Ok(id)
}

/// Deletes one of the caller's dogs with its photos: rows in one
/// transaction, then the files.
pub async fn delete(ctx: &Context, caller: &Caller, id: &str) -> Result<(), DogError> {
    let (Some(user), Ok(id)) = (caller.user(), Uuid::parse_str(id)) else {
        return Err(DogError::NotFound);
    };
    let (keys, shown) = queries::delete_owned(&ctx.pool, user.id(), id)
        .await?
        .ok_or(DogError::NotFound)?;
    if shown {
        ctx.public_changed();
    }
    for key in keys {
        ctx.photos.store.remove(&key).await;
    }
    Ok(())
}
