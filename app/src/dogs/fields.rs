//! The dog form fields, shared by "Add your dog" and "Edit".

use leptos::prelude::*;
use paws_inside::DogForm;
use paws_inside::dogs::fields::{BIO, BREED, NAME};
use paws_inside::dogs::{BREED_SUGGESTIONS, DogSize};

/// Name, breed (with suggestions), size, birthday and bio.
#[component]
pub fn DogFields(initial: DogForm) -> impl IntoView {
    let size = if initial.size.is_empty() {
        "medium".to_owned()
    } else {
        initial.size.clone()
    };
    view! {
        <div class="field">
            <label for="dog-name">"Name"</label>
            <input id="dog-name" name="name" required maxlength=NAME.max autocomplete="off" value=initial.name />
        </div>
        <div class="field">
            <label for="dog-breed">"Breed " <span class="muted">"(optional)"</span></label>
            <input id="dog-breed" name="breed" maxlength=BREED.max list="breeds" autocomplete="off" value=initial.breed />
            <datalist id="breeds">
                {BREED_SUGGESTIONS.iter().map(|b| view! { <option value=*b></option> }).collect_view()}
            </datalist>
        </div>
        <fieldset class="field">
            <legend>"Size"</legend>
            <div class="flag-row">
                {DogSize::ALL.iter().copied().map(|s| {
                    let id = format!("dog-size-{}", s.as_str());
                    let for_id = id.clone();
                    view! {
                        <label class="check" for=for_id>
                            <input type="radio" id=id name="size" value=s.as_str() checked=size == s.as_str() />
                            <span>{s.label()}</span>
                        </label>
                    }
                }).collect_view()}
            </div>
        </fieldset>
        <div class="field">
            <label for="dog-birthday">"Birthday " <span class="muted">"(optional)"</span></label>
            <input id="dog-birthday" name="birthday" type="date" value=initial.birthday />
        </div>
        <div class="field">
            <label for="dog-bio">"About " <span class="muted">{format!("(up to {} characters)", BIO.max)}</span></label>
            <textarea id="dog-bio" name="bio" rows="4" maxlength=BIO.max>{initial.bio}</textarea>
        </div>
    }
}
