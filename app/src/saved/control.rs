//! The Save control on a venue card and on the venue page: a plain
//! `<form method="post">` (it works without JavaScript, and the home page
//! loads none of ours but `home.js` and `saved.js`). Both pages can come from
//! the shared page cache, so the control never says whether this visitor
//! saved the place: `public/saved.js` asks `/api/saved/state` and marks it.

use leptos::prelude::*;

/// "Save" for the venue `slug` (named `name` for screen readers). Without
/// script it posts and lands on `/saved`; with it, it toggles in place.
#[component]
pub fn SaveButton(slug: String, name: String) -> impl IntoView {
    let field = slug.clone();
    view! {
        <form method="post" action="/saved/save" class="save-form" data-save=slug>
            <input type="hidden" name="slug" value=field />
            <crate::auth::MintKeyField />
            <button type="submit" class="save-button" aria-label=format!("Save {name}")>
                <span class="save-mark" aria-hidden="true"></span>
                "Save"
            </button>
            <span class="save-status" role="status"></span>
        </form>
    }
}
