//! Server functions for dogs. Every one is scoped to the session's user;
//! another person's dog answers exactly like a dog that does not exist.
// The create function takes one argument per form field: the plain HTML form
// (no JavaScript) posts them flat. The macro copies the signature.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use paws_inside::Dog;
use uuid::Uuid;

#[cfg(feature = "ssr")]
use crate::error::{bad_request, not_found, pool, unexpected};

/// The current user's dogs (none for a visitor without a session: no guest is made).
#[server(prefix = "/api", endpoint = "dogs/mine")]
pub async fn my_dogs() -> Result<Vec<Dog>, ServerFnError> {
    let Some(user) = crate::auth::session::current().await? else {
        return Ok(Vec::new());
    };
    paws_inside::dogs::queries::list_for_owner(&pool()?, user.id())
        .await
        .map_err(unexpected)
}

/// One of the current user's dogs, or `None`.
#[server(prefix = "/api", endpoint = "dogs/get")]
pub async fn get_dog(id: String) -> Result<Option<Dog>, ServerFnError> {
    let Some((user, id)) = crate::auth::session::user_and_id(&id).await? else {
        return Ok(None);
    };
    paws_inside::dogs::queries::get_owned(&pool()?, user.id(), id)
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
        leptos_axum::redirect(&format!("/dogs/{id}"));
        return Ok(id);
    }
    let dog = validate(paws_inside::DogForm {
        name,
        breed,
        size,
        birthday,
        bio,
    })?;
    let user = crate::auth::session::user_or_mint(mint_key.as_deref()).await?;
    let id = paws_inside::dogs::queries::create(&pool()?, user.id(), &dog)
        .await
        .map_err(unexpected)?;
    leptos_axum::redirect(&format!("/dogs/{id}"));
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
    let dog = validate(paws_inside::DogForm {
        name,
        breed,
        size,
        birthday,
        bio,
    })?;
    let Some((user, id)) = crate::auth::session::user_and_id(&id).await? else {
        return Err(not_found("That dog could not be found."));
    };
    if !paws_inside::dogs::queries::update_owned(&pool()?, user.id(), id, &dog)
        .await
        .map_err(unexpected)?
    {
        return Err(not_found("That dog could not be found."));
    }
    leptos_axum::redirect(&format!("/dogs/{id}"));
    Ok(())
}

/// Deletes one of the current user's dogs and its photos (rows, then files).
#[server(prefix = "/api", endpoint = "dogs/delete")]
pub async fn delete_dog(id: String) -> Result<(), ServerFnError> {
    let Some((user, id)) = crate::auth::session::user_and_id(&id).await? else {
        return Err(not_found("That dog could not be found."));
    };
    let Some(keys) = paws_inside::dogs::queries::delete_owned(&pool()?, user.id(), id)
        .await
        .map_err(unexpected)?
    else {
        return Err(not_found("That dog could not be found."));
    };
    let photos = expect_context::<paws_inside::photos::PhotoService>();
    for key in keys {
        photos.store.remove(&key).await;
    }
    leptos_axum::redirect("/dogs");
    Ok(())
}

/// Validates a submitted dog; every problem becomes one 400 message.
#[cfg(feature = "ssr")]
fn validate(form: paws_inside::DogForm) -> Result<paws_inside::dogs::NewDog, ServerFnError> {
    form.validate(paws_inside::time::today_utc())
        .map_err(|e| bad_request(&e.summary()))
}
