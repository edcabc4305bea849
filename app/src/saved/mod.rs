//! `/saved`: the person's saved places (a page at a time, each with Remove),
//! what changed near them since the last look, and the weekly email's
//! checkbox for members; `/saved/unsubscribe`, the page of the digest's
//! unsubscribe link. Plain forms posting to `server/src/saved.rs`.

mod control;
mod page;

pub use control::SaveButton;
pub use page::{SavedPage, UnsubscribePage};

use leptos::prelude::*;

/// One page of the caller's list and what changed near it (the look is recorded).
#[server(prefix = "/api", endpoint = "saved/page")]
pub async fn saved_page(
    #[server(default)] page: String,
) -> Result<paws_inside::saved::SavedPage, ServerFnError> {
    let caller = crate::auth::session::caller().await?;
    let page = paws_inside::saved::read_page(Some(&page));
    paws_inside::saved::flows::page(&crate::error::ctx()?, &caller, page)
        .await
        .map_err(crate::error::unexpected)
}
