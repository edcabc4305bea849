//! Photo upload and display. The upload form is a plain multipart POST to
//! `/api/photos` (works without JavaScript); after hydration it uploads with
//! XHR to show a progress bar and the thumbnail without leaving the page.

mod own;
mod report;
mod upload;

pub use own::DeleteOwnPhoto;
pub use report::ReportPhoto;
pub use upload::UploadForm;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use paws_inside::Photo;
use paws_inside::photos::VenuePhoto;

/// Photos taken at a venue ("Dogs seen here"), newest first; the viewer's
/// own marked `mine` (never in a page the cache keeps: it keeps only pages
/// rendered for requests without a cookie, which have no viewer).
#[server(prefix = "/api", endpoint = "photos/venue")]
pub async fn venue_photos(slug: String) -> Result<Vec<VenuePhoto>, ServerFnError> {
    let caller = crate::auth::session::caller().await?;
    paws_inside::photos::flows::at_venue(&crate::error::ctx()?, &caller, &slug)
        .await
        .map_err(crate::error::unexpected)
}

/// Deletes one of the current user's photos: the row, then its files.
#[server(prefix = "/api", endpoint = "photos/delete")]
pub async fn delete_photo(id: String) -> Result<uuid::Uuid, ServerFnError> {
    let caller = crate::auth::session::caller().await?;
    paws_inside::photos::flows::delete(&crate::error::ctx()?, &caller, &id)
        .await
        .map_err(crate::error::fail)
}

/// The owner's photo grid: each photo with a delete button (a plain form
/// without JavaScript; removed in place with it).
#[component]
pub fn OwnPhotoGrid(photos: RwSignal<Vec<Photo>>, #[prop(into)] alt: String) -> impl IntoView {
    let action = ServerAction::<DeletePhoto>::new();
    Effect::new(move |_| {
        if let Some(Ok(id)) = action.value().get() {
            photos.update(|list| list.retain(|p| p.id != id));
        }
    });
    view! {
        {crate::error::action_error(action.value())}
        {move || photos.with(|l| l.is_empty()).then(|| view! { <p class="muted">"No photos yet."</p> })}
        <ul class="photo-grid">
            <For each=move || photos.get() key=|p| p.id let:photo>
                <li>
                    <a href=photo.display_url()>
                        <img src=photo.thumb_url() alt=format!("Photo of {alt}") loading="lazy" width="200" height="200" />
                    </a>
                    <ActionForm action attr:class="photo-delete">
                        <input type="hidden" name="id" value=photo.id.to_string() />
                        <button type="submit" class="link-button">"Delete photo"</button>
                    </ActionForm>
                </li>
            </For>
        </ul>
    }
}

/// Shows the error a no-JavaScript upload was redirected back with.
#[component]
pub fn UploadErrorFromQuery() -> impl IntoView {
    let query = use_query_map();
    move || {
        query.with(|q| q.get("photo_error")).map(|code| {
            view! { <p class="error" role="alert">{paws_inside::photos::photo_error_message(&code)}</p> }
        })
    }
}
