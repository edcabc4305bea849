//! "My dogs": add, list, edit and delete dogs. Everything works without
//! JavaScript (ActionForm posts); with it, the first "Add your dog" click mints
//! the guest session just in time.

mod api;
mod fields;
mod pages;

pub use api::{
    CreateDog, DeleteDog, UpdateDog, create_dog, delete_dog, dog_choices, get_dog, my_dogs, update_dog,
};
pub use pages::{DeleteDog, DogPage, EditDog, MyDogs, NewDog};

use leptos::prelude::*;

/// The "Add your dog" button. Without JavaScript it is a plain link (the guest
/// is minted when the dog is saved); with it, the click first makes sure a
/// (guest) session exists: the person is about to contribute.
#[island(lazy)]
pub fn AddDogLink(#[prop(optional)] class: Option<String>) -> impl IntoView {
    crate::preload::island("add_dog_link");
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.button() != 0 {
            return;
        }
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            if let Err(err) = crate::auth::ensure_guest().await {
                leptos::logging::warn!("could not start a guest session: {err}");
            }
            let _ = window().location().set_href("/dogs/new");
        });
    };
    view! {
        <a href="/dogs/new" class=class.unwrap_or_else(|| "button".into()) on:click=on_click data-testid="add-dog">
            "Add your dog"
        </a>
    }
}
