//! What every flow's error enum shares. Each feature has its own enums (one per
//! kind of operation), and each separates what the person can fix (shown as
//! it is), "too many" (with how long to wait) and `Unexpected` (logged in
//! full, shown as a generic message). Adapters answer by [`Failure::kind`] in
//! one place each: `app::error::fail` for server functions, `server::answer`
//! for plain routes.

/// What a person sees when something failed on our side.
pub const UNEXPECTED: &str = "Something went wrong on our side. Please try again in a moment.";

/// How an adapter answers a failed flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// 400: the input or the state is not right; the message says why.
    Invalid,
    /// 401: the credentials do not match.
    Unauthorized,
    /// 403: not for this person (admin pages).
    Forbidden,
    /// 404: nothing of yours by that name.
    NotFound,
    /// 409: the state changed while the request was under way (signed out
    /// elsewhere, say); nothing was done, trying again is safe.
    Conflict,
    /// 410: a link that worked once and no longer does.
    Gone,
    /// 413: an upload over the size limit.
    TooLarge,
    /// 422: a file we cannot use.
    Unprocessable,
    /// 408: a body that did not arrive in time; nothing was kept.
    TooSlow,
    /// 429 with `Retry-After` seconds.
    TooMany(i64),
    /// 503 with `Retry-After` seconds: too much at once here; nothing was done.
    Busy(i64),
    /// 500: ours; logged.
    Unexpected,
}

impl Kind {
    /// The HTTP status code.
    pub fn status(self) -> u16 {
        match self {
            Kind::Invalid => 400,
            Kind::Unauthorized => 401,
            Kind::Forbidden => 403,
            Kind::NotFound => 404,
            Kind::Conflict => 409,
            Kind::Gone => 410,
            Kind::TooLarge => 413,
            Kind::Unprocessable => 422,
            Kind::TooSlow => 408,
            Kind::TooMany(_) => 429,
            Kind::Busy(_) => 503,
            Kind::Unexpected => 500,
        }
    }
}

/// What the adapters need of every flow error.
pub trait Failure: std::fmt::Display {
    /// How to answer.
    fn kind(&self) -> Kind;
    /// The infrastructure failure behind an `Unexpected`, for the log.
    fn unexpected(&self) -> Option<&anyhow::Error>;
}

/// Implements [`Failure`] (and `From<anyhow::Error>`) for an enum with
/// `TooMany(limits::TooMany)` and `Unexpected(anyhow::Error)` variants plus
/// the listed ones, each with its [`Kind`]. `no_limit` for enums without
/// `TooMany`; `mints` also converts a guest-creation error (the flows that
/// make a guest for a contribution).
macro_rules! failure {
    (mints $name:ident { $($variant:ident => $kind:expr),* $(,)? }) => {
        failure!($name { $($variant => $kind,)* });
        impl From<$crate::auth::MintError> for $name {
            fn from(err: $crate::auth::MintError) -> Self {
                match err {
                    $crate::auth::MintError::TooMany(over) => Self::TooMany(over),
                    $crate::auth::MintError::Unexpected(err) => Self::Unexpected(err),
                }
            }
        }
    };
    ($name:ident { $($variant:ident => $kind:expr),* $(,)? }) => {
        failure!(@impl $name { $($variant => $kind,)* } Self::TooMany(over) => $crate::errors::Kind::TooMany(over.retry_after),);
    };
    (no_limit $name:ident { $($variant:ident => $kind:expr),* $(,)? }) => {
        failure!(@impl $name { $($variant => $kind,)* });
    };
    (@impl $name:ident { $($variant:ident => $kind:expr,)* } $($extra:pat => $extra_kind:expr,)?) => {
        impl $crate::errors::Failure for $name {
            fn kind(&self) -> $crate::errors::Kind {
                match self {
                    $(Self::$variant { .. } => $kind,)*
                    $($extra => $extra_kind,)?
                    Self::Unexpected(_) => $crate::errors::Kind::Unexpected,
                }
            }
            fn unexpected(&self) -> Option<&anyhow::Error> {
                match self {
                    Self::Unexpected(err) => Some(err),
                    _ => None,
                }
            }
        }
        impl From<anyhow::Error> for $name {
            fn from(err: anyhow::Error) -> Self {
                Self::Unexpected(err)
            }
        }
    };
}
pub(crate) use failure;
