//! The dog use cases, each scoped to the caller: another person's dog answers
//! exactly like a dog that does not exist.

use super::queries::{self, Added};
use super::{Dog, DogCursor, DogForm, DogList, MAX_DOGS, NewDog};
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
    /// The account has [`MAX_DOGS`] dogs already.
    #[error(
        "You can keep up to {MAX_DOGS} dogs on Paws Inside, and you have that many. To add another, remove one you no longer need first."
    )]
    Full,
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
    Full => Kind::Invalid,
});

/// Dogs offered where a photo can be of one of them (the venue page's upload);
/// more than [`MAX_DOGS`] only after claims brought them.
pub const CHOICES: i64 = 2 * MAX_DOGS;

fn validate(form: &DogForm) -> Result<NewDog, DogError> {
    form.validate(crate::time::today_utc())
        .map_err(|e| DogError::Invalid(e.summary()))
}

/// One page of the caller's dogs, from just after the cursor `after` as in
/// the URL (the first page for none or an unreadable one). None for a
/// visitor: no guest is made for reading.
pub async fn mine(ctx: &Context, caller: &Caller, after: &str) -> anyhow::Result<DogList> {
    match caller.user() {
        Some(user) => queries::page(&ctx.pool, user.id(), DogCursor::parse(after)).await,
        None => Ok(DogList::default()),
    }
}

/// The caller's dogs by id and name, at most [`CHOICES`], oldest first.
pub async fn choices(ctx: &Context, caller: &Caller) -> anyhow::Result<Vec<(Uuid, String)>> {
    match caller.user() {
        Some(user) => queries::names(&ctx.pool, user.id(), CHOICES).await,
        None => Ok(Vec::new()),
    }
}

/// How many dogs a guest caller keeps (the header's "Your dogs: 2"); 0 for
/// members and visitors, for whom no query is made.
pub async fn guest_count(ctx: &Context, caller: &Caller) -> anyhow::Result<i64> {
    match caller.user().and_then(|u| u.guest_id()) {
        Some(id) => queries::count(&ctx.pool, id).await,
        None => Ok(0),
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
/// guest if needed and stores the dog, unless the account has [`MAX_DOGS`]
/// (counted under a lock of the account, so two adds at once cannot both pass).
pub async fn add(
    ctx: &Context,
    caller: &mut Caller,
    form: &DogForm,
    mint_key: Option<&str>,
) -> Result<Uuid, DogError> {
    let dog = validate(form)?;
    let mut owner = crate::auth::guest::user_or_mint(ctx, caller, mint_key)
        .await?
        .id();
    // Once more if the guest went while the dog was on its way (merged into
    // an account, or reaped): never lose a dog.
    for _ in 0..2 {
        match queries::create(&ctx.pool, owner, &dog, MAX_DOGS).await? {
            Added::Dog(id) => return Ok(id),
            Added::Full => return Err(DogError::Full),
            Added::NoOwner => owner = crate::auth::guest::owner_after_vanished(ctx, caller, mint_key).await?,
        }
    }
    Err(DogError::Unexpected(anyhow::anyhow!(
        "the dog's owner {owner} went twice while it was added"
    )))
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
