//! The photo use cases: upload one (of a dog, at a venue, or both), delete
//! one's own, report someone's. Each mints a guest when it contributes and
//! the browser has none.

use super::clients::Refused;
use super::process::PhotoError;
use super::queries::{self as rows, Subject};
use super::{Admission, Photo, VenuePhoto};
use crate::auth::Caller;
use crate::auth::MintError;
use crate::context::Context;
use crate::errors::{Failure, Kind, failure};
use crate::limits::{LimitedAction, TooMany};
use uuid::Uuid;

/// When to try again after [`UploadError::Busy`].
const BUSY_RETRY_SECONDS: i64 = 5;

/// Why an upload did not produce a photo.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The file was refused; the message is safe to show.
    #[error(transparent)]
    Rejected(#[from] PhotoError),
    /// The dog is not this person's (or does not exist).
    #[error("That dog could not be found.")]
    NoDog,
    /// No venue by that name.
    #[error("That venue does not exist.")]
    NoVenue,
    /// Too many uploads (or guests) lately.
    #[error("{0}")]
    TooMany(TooMany),
    /// Too many photos being processed at this moment; nothing was kept.
    #[error("Many photos are arriving right now. Please try again in a few seconds.")]
    Busy,
    /// This client already has two uploads in flight.
    #[error("{}", super::IN_FLIGHT)]
    InFlight,
    /// The body did not arrive within the deadline; nothing was kept.
    #[error("{}", super::TOO_SLOW)]
    TooSlow,
    /// The photo store did not take the files (logged); nothing was kept.
    #[error("Photos cannot be saved right now. Please try again in a minute.")]
    StoreDown(anyhow::Error),
    /// Ours; no row and no files were left behind.
    #[error("{}", crate::errors::UNEXPECTED)]
    Unexpected(anyhow::Error),
}

/// Seconds a client waits before retrying when the photo store is down.
const STORE_DOWN_RETRY_SECONDS: i64 = 30;

impl UploadError {
    /// The short code a no-JavaScript upload's redirect carries back.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Rejected(e) => e.code(),
            Self::NoDog => "no_dog",
            Self::NoVenue => "no_venue",
            Self::TooMany(_) => "rate_limited",
            Self::Busy => "busy",
            Self::InFlight => "in_flight",
            Self::TooSlow => "too_slow",
            Self::StoreDown(_) => "store_down",
            Self::Unexpected(_) => "unexpected",
        }
    }
}

impl Failure for UploadError {
    fn kind(&self) -> Kind {
        match self {
            Self::Rejected(PhotoError::TooLarge { .. }) => Kind::TooLarge,
            Self::Rejected(_) => Kind::Unprocessable,
            Self::NoDog | Self::NoVenue => Kind::NotFound,
            Self::TooMany(over) => Kind::TooMany(over.retry_after),
            Self::Busy => Kind::Busy(BUSY_RETRY_SECONDS),
            Self::InFlight => Kind::TooMany(BUSY_RETRY_SECONDS),
            Self::TooSlow => Kind::TooSlow,
            Self::StoreDown(_) => Kind::Busy(STORE_DOWN_RETRY_SECONDS),
            Self::Unexpected(_) => Kind::Unexpected,
        }
    }
    fn unexpected(&self) -> Option<&anyhow::Error> {
        match self {
            Self::Unexpected(err) | Self::StoreDown(err) => Some(err),
            _ => None,
        }
    }
}

impl From<anyhow::Error> for UploadError {
    fn from(err: anyhow::Error) -> Self {
        Self::Unexpected(err)
    }
}

impl From<MintError> for UploadError {
    fn from(err: MintError) -> Self {
        match err {
            MintError::TooMany(over) => Self::TooMany(over),
            MintError::Unexpected(err) => Self::Unexpected(err),
        }
    }
}

/// What an upload is of, as the form named it (unchecked yet).
#[derive(Debug, Default)]
pub struct Upload {
    /// The file, or `None` when the form had none.
    pub file: Option<Vec<u8>>,
    /// The body was cut off at the size limit.
    pub too_large: bool,
    /// A dog's id, as typed.
    pub dog: Option<String>,
    /// A venue's slug.
    pub venue: Option<String>,
    /// The browser's mint key, for a guest made by this upload.
    pub mint_key: Option<String>,
    /// Its place, taken by [`precheck`] before the body was read (else taken here).
    pub place: Option<Admission>,
}

/// What an upload is of, as its form's address names it (`?dog=…` or
/// `?venue=…`), known before its body is read.
#[derive(Clone, Debug, Default)]
pub struct Target {
    /// A dog's id.
    pub dog: Option<String>,
    /// A venue's slug.
    pub venue: Option<String>,
}

/// Turns an upload away before its body is read, for what can be known from
/// the request alone: the client's two uploads already in flight, every place
/// taken, the dog not the caller's, no such venue, the caller at the hourly
/// limit; else gives it its place, once all of that checked out. Counts
/// nothing and makes nothing; [`upload`] decides again with the body.
pub async fn precheck(ctx: &Context, caller: &Caller, target: &Target) -> Result<Admission, UploadError> {
    // First, and in memory: a client's third upload costs no query. Without
    // an address (not served over a socket) there is no client to count.
    let client = caller.client();
    let slot = match client.as_str() {
        "" => None,
        client => Some(ctx.photos.client_slot(client).map_err(|refused| match refused {
            Refused::ClientBusy => UploadError::InFlight,
            Refused::Full => UploadError::Busy,
        })?),
    };
    if ctx.photos.busy() {
        return Err(UploadError::Busy);
    }
    if let Some(raw) = target.dog.as_deref().filter(|s| !s.is_empty()) {
        let dog = Uuid::parse_str(raw).map_err(|_| UploadError::NoDog)?;
        // A visitor without a user has no dogs yet.
        let Some(user) = caller.user() else {
            return Err(UploadError::NoDog);
        };
        if !rows::dog_is_owned(&ctx.pool, user.id(), dog).await? {
            return Err(UploadError::NoDog);
        }
    }
    if let Some(slug) = target.venue.as_deref().filter(|s| !s.is_empty())
        && rows::venue_id(&ctx.pool, slug).await?.is_none()
    {
        return Err(UploadError::NoVenue);
    }
    if let Some(user) = caller.user() {
        let owner = user.id().to_string();
        crate::limits::peek(&ctx.pool, &ctx.config.limits, LimitedAction::Upload, &owner)
            .await?
            .map_err(UploadError::TooMany)?;
    }
    ctx.photos.admit_with(slot).ok_or(UploadError::Busy)
}

/// Uploads a photo: checks what it is of, makes a guest if needed, counts it
/// against the hourly limit, then processes and stores it (files first, then
/// the row; any failure leaves neither).
pub async fn upload(ctx: &Context, caller: &mut Caller, form: Upload) -> Result<Photo, UploadError> {
    if form.too_large {
        let max_mb = ctx.photos.limits.max_bytes / (1024 * 1024);
        return Err(PhotoError::TooLarge { max_mb }.into());
    }
    let Some(bytes) = form.file else {
        return Err(PhotoError::Empty.into());
    };
    let dog = match form.dog.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => Some(Uuid::parse_str(raw).map_err(|_| UploadError::NoDog)?),
        None => None,
    };
    let venue = match form.venue.as_deref().filter(|s| !s.is_empty()) {
        Some(slug) => Some(
            rows::venue_id(&ctx.pool, slug)
                .await?
                .ok_or(UploadError::NoVenue)?,
        ),
        None => None,
    };
    // Turned away before a guest is made or the upload counted.
    let Some(place) = form.place.or_else(|| ctx.photos.admit()) else {
        return Err(UploadError::Busy);
    };
    let user = crate::auth::guest::user_or_mint(ctx, caller, form.mint_key.as_deref()).await?;
    let owner = user.id().to_string();
    ctx.limit(&[(LimitedAction::Upload, &owner)])
        .await?
        .map_err(UploadError::TooMany)?;
    if let Some(dog) = dog
        && !rows::dog_is_owned(&ctx.pool, user.id(), dog).await?
    {
        return Err(UploadError::NoDog);
    }
    match ctx
        .photos
        .upload(&place, &ctx.pool, user.id(), Subject { dog, venue }, bytes)
        .await
    {
        // A photo taken at a venue is on its page ("Dogs seen here").
        Ok(photo) => {
            if venue.is_some() {
                ctx.public_changed();
            }
            Ok(photo)
        }
        Err(super::service::StoreError::Rejected(e)) => Err(e.into()),
        Err(super::service::StoreError::Unavailable(e)) => Err(UploadError::StoreDown(e)),
        Err(super::service::StoreError::Unexpected(e)) => Err(UploadError::Unexpected(e)),
    }
}

/// Deleting or reporting a photo.
#[derive(Debug, thiserror::Error)]
pub enum PhotoActionError {
    /// Not a photo of yours (delete) or not a photo at all (report).
    #[error("That photo could not be found.")]
    NotFound,
    /// Not a reason from the list, or a note that is not one (too long, hidden characters).
    #[error("{0}")]
    Invalid(String),
    /// Too many reports lately (or guests).
    #[error("{0}")]
    TooMany(TooMany),
    /// Ours.
    #[error("{}", crate::errors::UNEXPECTED)]
    Unexpected(anyhow::Error),
}

failure!(mints PhotoActionError {
    NotFound => Kind::NotFound,
    Invalid => Kind::Invalid,
});

/// Deletes one of the caller's photos: the row, then its files.
pub async fn delete(ctx: &Context, caller: &Caller, id: &str) -> Result<Uuid, PhotoActionError> {
    let (Some(user), Ok(id)) = (caller.user(), Uuid::parse_str(id)) else {
        return Err(PhotoActionError::NotFound);
    };
    let (key, shown) = rows::delete_owned(&ctx.pool, user.id(), id)
        .await?
        .ok_or(PhotoActionError::NotFound)?;
    if shown {
        ctx.public_changed();
    }
    ctx.photos.store.remove(&key).await;
    Ok(id)
}

/// Files a report about a photo by this browser's user (a guest is made if
/// needed). A second report of the same photo by the same person changes nothing.
pub async fn report(
    ctx: &Context,
    caller: &mut Caller,
    photo: &str,
    reason: &str,
    note: &str,
    mint_key: Option<&str>,
) -> Result<(), PhotoActionError> {
    let id = Uuid::parse_str(photo).map_err(|_| PhotoActionError::NotFound)?;
    if !crate::moderation::REPORT_REASONS
        .iter()
        .any(|(k, _)| *k == reason)
    {
        return Err(PhotoActionError::Invalid("Choose a reason from the list.".into()));
    }
    let note = super::REPORT_NOTE
        .read(note)
        .map_err(|e| PhotoActionError::Invalid(e.to_string()))?;
    let user = crate::auth::guest::user_or_mint(ctx, caller, mint_key).await?;
    let reporter = user.id().to_string();
    ctx.limit(&[(LimitedAction::Report, &reporter)])
        .await?
        .map_err(PhotoActionError::TooMany)?;
    crate::moderation::reports::report(&ctx.pool, user.id(), id, reason, note.as_str()).await?;
    Ok(())
}

/// Photos taken at a venue ("Dogs seen here"), newest first; the caller's
/// own are marked `mine` (none for a request without a session).
pub async fn at_venue(ctx: &Context, caller: &Caller, slug: &str) -> anyhow::Result<Vec<VenuePhoto>> {
    rows::for_venue(&ctx.pool, slug, 48, caller.user().map(|u| u.id())).await
}
