//! Server functions for dogs: each converts its form and calls one flow of
//! `paws_inside::dogs::flows` (scoped to the session's user: another
//! person's dog answers exactly like a dog that does not exist).
// The create function takes one argument per form field: the plain HTML form
// (no JavaScript) posts them flat. The macro copies the signature.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use paws_inside::Dog;
use paws_inside::dogs::DogList;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use crate::auth::session::caller;
#[cfg(feature = "ssr")]
use crate::error::{ctx, fail, unexpected};
#[cfg(feature = "ssr")]
use paws_inside::dogs::flows;

/// One page of the current user's dogs, from just after the cursor `after`
/// (none for a visitor without a session: no guest is made).
#[server(prefix = "/api", endpoint = "dogs/mine")]
pub async fn my_dogs(#[server(default)] after: String) -> Result<DogList, ServerFnError> {
    flows::mine(&ctx()?, &caller().await?, &after)
        .await
        .map_err(unexpected)
}

/// The current user's dogs by id and name, for "which dog is in the photo".
#[server(prefix = "/api", endpoint = "dogs/choices")]
pub async fn dog_choices() -> Result<Vec<(Uuid, String)>, ServerFnError> {
    flows::choices(&ctx()?, &caller().await?)
        .await
        .map_err(unexpected)
}

/// One of the current user's dogs, or `None`.
#[server(prefix = "/api", endpoint = "dogs/get")]
pub async fn get_dog(id: String) -> Result<Option<Dog>, ServerFnError> {
    flows::one(&ctx()?, &caller().await?, &id)
        .await
        .map_err(unexpected)
}

/// "Add your dog". Validates first, then mints a guest if needed, then stores
/// the dog and sends the browser to its page (a 303 without JavaScript).
#[server(prefix = "/api", endpoint = "dogs/create")]
pub async fn create_dog(
    #[server(default)] name: String,
    #[server(default)] breed: String,
    #[server(default)] size: String,
    #[server(default)] birthday: String,
    #[server(default)] bio: String,
    #[server(default)] mint_key: Option<String>,
    #[server(default)] website: String,
    #[server(default)] form_started: String,
) -> Result<Uuid, ServerFnError> {
    if crate::bot::caught("add_dog", &website, &form_started) {
        // The same answer as a real dog: a redirect to a page that will not exist.
        let id = Uuid::new_v4();
        leptos_axum::redirect(&format!("/dogs/{id}?added"));
        return Ok(id);
    }
    let form = paws_inside::DogForm {
        name,
        breed,
        size,
        birthday,
        bio,
    };
    let id = flows::add(&ctx()?, &mut caller().await?, &form, mint_key.as_deref())
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&format!("/dogs/{id}?added"));
    Ok(id)
}

/// Saves changes to one of the current user's dogs.
#[server(prefix = "/api", endpoint = "dogs/update")]
pub async fn update_dog(
    id: String,
    #[server(default)] name: String,
    #[server(default)] breed: String,
    #[server(default)] size: String,
    #[server(default)] birthday: String,
    #[server(default)] bio: String,
) -> Result<(), ServerFnError> {
    let form = paws_inside::DogForm {
        name,
        breed,
        size,
        birthday,
        bio,
    };
    let id = flows::update(&ctx()?, &caller().await?, &id, &form)
        .await
        .map_err(fail)?;
    leptos_axum::redirect(&format!("/dogs/{id}"));
    Ok(())
}

/// Deletes one of the current user's dogs and its photos (rows, then files).
#[server(prefix = "/api", endpoint = "dogs/delete")]
pub async fn delete_dog(id: String) -> Result<(), ServerFnError> {
    flows::delete(&ctx()?, &caller().await?, &id)
        .await
        .map_err(fail)?;
    leptos_axum::redirect("/dogs");
    Ok(())
}
