//! Two-step sign-in: the identity crate's `two_factor` (an authenticator
//! app's codes, ten backup codes, trusted browsers) with the site's name, and
//! the QR code drawn here as SVG (the `qrcode` crate; no outside service
//! ever sees the secret).

use super::Caller;
use super::ending::Ended;
use super::errors::TwoStepError;
use crate::context::Context;
use anonymous_first::two_factor as tf;
use uuid::Uuid;

pub use tf::{BACKUP_CODES, PENDING_MINUTES, TRUST_DAYS, TrustedBrowser};

/// The name an authenticator app lists the account under.
pub const ISSUER: &str = "Paws Inside";

/// What the setup page shows: the secret to type in, and the QR code of it.
#[derive(Clone, Debug)]
pub struct SetupView {
    /// The secret in base32, in groups of four for reading.
    pub secret: String,
    /// An `<svg>` element of the `otpauth://` address.
    pub qr_svg: String,
}

fn view(setup: tf::Setup) -> anyhow::Result<SetupView> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(setup.uri.as_bytes())?;
    let drawn = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline in the page: no XML prologue, and a name for screen readers.
    let start = drawn.find("<svg").unwrap_or(0);
    let qr_svg = drawn[start..].replacen(
        "<svg",
        "<svg role=\"img\" aria-label=\"QR code for your authenticator app\"",
        1,
    );
    let secret = setup
        .secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(SetupView { secret, qr_svg })
}

/// Starts setting it up (a recent sign-in; a new secret each time).
pub async fn begin(ctx: &Context, caller: &Caller) -> Result<SetupView, TwoStepError> {
    let setup = tf::begin(&ctx.identity, caller, ISSUER).await?;
    Ok(view(setup)?)
}

/// The setup under way, if one is.
pub async fn setup_of(ctx: &Context, caller: &Caller) -> Result<Option<SetupView>, TwoStepError> {
    match tf::setup_of(&ctx.identity, caller, ISSUER).await? {
        Some(setup) => Ok(Some(view(setup)?)),
        None => Ok(None),
    }
}

/// Turns it on with a first code; the backup codes, to show once.
pub async fn enable(ctx: &Context, caller: &mut Caller, code: &str) -> Result<Vec<String>, TwoStepError> {
    tf::enable(&ctx.identity, caller, code).await
}

/// Turns it off with a fresh code (or a backup code).
pub async fn disable(ctx: &Context, caller: &mut Caller, code: &str) -> Result<(), TwoStepError> {
    tf::disable(&ctx.identity, caller, code).await
}

/// Finishes the sign-in waiting under this browser's cookie `key`; the new
/// trusted browser's key when `trust`.
pub async fn finish(
    ctx: &Context,
    caller: &mut Caller,
    key: Option<&str>,
    code: &str,
    trust: bool,
) -> Result<(Ended, Option<String>), TwoStepError> {
    let done = tf::finish(&ctx.identity, caller, key, code, trust).await?;
    Ok((done.ended, done.trusted_key))
}

/// Backup codes left when it is on for `user`; `None` when it is off.
pub async fn status(ctx: &Context, user: Uuid) -> anyhow::Result<Option<usize>> {
    tf::status(&ctx.identity, user).await
}

/// `user`'s trusted browsers.
pub async fn trusted(ctx: &Context, user: Uuid) -> anyhow::Result<Vec<TrustedBrowser>> {
    tf::trusted_browsers(&ctx.identity.pool, user).await
}

/// Forgets one trusted browser of the member signed in here.
pub async fn forget(ctx: &Context, caller: &Caller, browser: &str) -> Result<(), TwoStepError> {
    let Some(member) = caller.user().filter(|u| !u.is_guest()).map(|u| u.id()) else {
        return Err(TwoStepError::NotSignedIn);
    };
    if caller.session.acting_until().is_some() {
        return Err(TwoStepError::Acting);
    }
    if let Ok(browser) = Uuid::try_parse(browser) {
        tf::forget(&ctx.identity.pool, member, browser).await?;
    }
    Ok(())
}
