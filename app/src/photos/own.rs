//! "Delete" under a photo on a venue page, for the person who added it. It
//! is rendered only where the server marked the photo `mine` for this
//! request's session (or the island just uploaded it), never into a page the
//! shared cache keeps (those are rendered for requests without a cookie).

use super::DeletePhoto;
use leptos::prelude::*;

/// A disclosure "Delete" → "Delete this photo for good"; `on_deleted` runs
/// with the photo's id once it is gone (the island takes it off the grid).
#[component]
pub fn DeleteOwnPhoto(
    photo: uuid::Uuid,
    #[prop(optional)] on_deleted: Option<Callback<uuid::Uuid>>,
) -> impl IntoView {
    let action = ServerAction::<DeletePhoto>::new();
    Effect::new(move |_| {
        if let (Some(Ok(id)), Some(done)) = (action.value().get(), on_deleted) {
            done.run(id);
        }
    });
    view! {
        <details class="report-photo own-photo" data-testid="own-photo">
            <summary>"Your photo: delete"</summary>
            <ActionForm action>
                <input type="hidden" name="id" value=photo.to_string() />
                {crate::error::action_error(action.value())}
                <button type="submit" class="button button-danger">"Delete this photo for good"</button>
            </ActionForm>
        </details>
    }
}
