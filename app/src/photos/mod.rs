//! Photo upload and display. The upload form is a plain multipart POST to
//! `/api/photos` (works without JavaScript); after hydration it uploads with
//! XHR to show a progress bar and the thumbnail without leaving the page.

mod upload;

pub use upload::UploadForm;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use paws_inside::Photo;
use paws_inside::pet::VenuePhoto;

/// Photos taken at a venue ("Dogs seen here"), newest first.
#[server(prefix = "/api", endpoint = "photos/venue")]
pub async fn venue_photos(slug: String) -> Result<Vec<VenuePhoto>, ServerFnError> {
    let pool = crate::error::pool()?;
    paws_inside::db::media::for_venue(&pool, &slug, 48)
        .await
        .map_err(crate::error::unexpected)
}

/// A grid of thumbnails linking to the display size.
#[component]
pub fn PhotoGrid(photos: Vec<Photo>, #[prop(into)] alt: String) -> impl IntoView {
    if photos.is_empty() {
        return view! { <p class="muted">"No photos yet."</p> }.into_any();
    }
    view! {
        <ul class="photo-grid">
            {photos.into_iter().map(|p| {
                let alt = format!("Photo of {alt}");
                view! {
                    <li>
                        <a href=p.display_url()>
                            <img src=p.thumb_url() alt=alt loading="lazy" width="200" height="200" />
                        </a>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// Shows the error a no-JavaScript upload was redirected back with.
#[component]
pub fn UploadErrorFromQuery() -> impl IntoView {
    let query = use_query_map();
    move || {
        query.with(|q| q.get("photo_error")).map(|code| {
            view! { <p class="error" role="alert">{paws_inside::pet::photo_error_message(&code)}</p> }
        })
    }
}
