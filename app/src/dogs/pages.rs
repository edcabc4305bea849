//! The dog pages: list, add, one dog (with photos), edit, delete.

use super::AddDogLink;
use super::api::{CreateDog, DeleteDog, UpdateDog, get_dog, my_dogs};
use super::fields::DogFields;
use crate::NotFound;
use crate::auth::MintKeyField;
use crate::error::{action_error, user_message};
use crate::layout::PawIcon;
use crate::photos::{OwnPhotoGrid, UploadErrorFromQuery, UploadForm};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use paws_inside::dogs::DogSummary;
use paws_inside::{Dog, DogForm, DogSize, Photo};

/// `/dogs`: the current user's dogs, a page at a time (`?after=` the last
/// dog of the page before: plain links, so paging works without JavaScript).
#[component]
pub fn MyDogs() -> impl IntoView {
    let query = use_query_map();
    let after = query.with_untracked(|q| q.get("after").unwrap_or_default());
    let first_page = after.is_empty();
    let dogs = Resource::new(move || after.clone(), my_dogs);
    view! {
        <Title text="My dogs" />
        <div class="page-head">
            <h1>"My dogs"</h1>
            <AddDogLink />
        </div>
        <p class="small"><a href="/mine">"Everything you added: photos, answers, suggestions"</a></p>
        <Suspense fallback=|| view! { <p class="muted">"Fetching your dogs…"</p> }>
            {move || Suspend::new(async move {
                match dogs.await {
                    Ok(list) if list.dogs.is_empty() && first_page => view! {
                        <div class="empty-state">
                            <span class="empty-icon" aria-hidden="true"><PawIcon /></span>
                            <p>"No dogs yet. Add yours — no account needed."</p>
                        </div>
                    }.into_any(),
                    Ok(list) => view! {
                        {list.dogs.is_empty().then(|| view! { <p class="muted">"No more dogs."</p> })}
                        <ul class="dog-grid">
                            {list.dogs.into_iter().map(|dog| view! { <li><DogCard dog /></li> }).collect_view()}
                        </ul>
                        <nav class="pager" aria-label="More dogs">
                            {(!first_page).then(|| view! { <a href="/dogs" class="button button-quiet">"Back to the first dogs"</a> })}
                            {list.next.map(|next| view! {
                                <a href=format!("/dogs?after={next}") class="button button-quiet" rel="next" data-more="">"More dogs"</a>
                            })}
                        </nav>
                    }.into_any(),
                    Err(err) => view! { <p class="error" role="alert">{user_message(&err)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DogCard(dog: DogSummary) -> impl IntoView {
    let href = format!("/dogs/{}", dog.id);
    let thumb = dog.thumb.as_ref().map(|p| p.thumb_url());
    let name = dog.name.clone();
    let title = dog.name.clone();
    let desc = describe(&dog.size, dog.breed.as_deref());
    view! {
        <article class="dog-card">
            {match thumb {
                Some(src) => view! { <img class="dog-thumb" src=src alt=format!("Photo of {name}") loading="lazy" /> }.into_any(),
                None => view! { <span class="dog-thumb dog-thumb-empty" aria-hidden="true"><PawIcon /></span> }.into_any(),
            }}
            <h2><A href=href>{title}</A></h2>
            <p class="muted">{desc}</p>
        </article>
    }
}

/// "Poodle · Medium".
fn describe(size: &str, breed: Option<&str>) -> String {
    let size = DogSize::parse(size).map(|s| s.label()).unwrap_or("Medium");
    match breed {
        Some(breed) => format!("{breed} · {size}"),
        None => size.to_owned(),
    }
}

/// `/dogs/new`: "Add your dog".
#[component]
pub fn NewDog() -> impl IntoView {
    view! {
        <Title text="Add your dog" />
        <h1>"Add your dog"</h1>
        <p class="lead">"No sign-up needed. Your dog stays on this device, and comes with you when you sign in later."</p>
        <NewDogForm />
    }
}

/// The "Add your dog" form; on success the server sends the browser to the dog.
#[island(lazy)]
fn NewDogForm() -> impl IntoView {
    crate::preload::island("new_dog_form");
    let action = ServerAction::<CreateDog>::new();
    view! {
        <ActionForm action attr:class="form-card">
            <DogFields initial=DogForm::default() />
            <MintKeyField />
            <crate::bot::BotFields />
            {action_error(action.value())}
            <button type="submit" class="button" disabled=move || action.pending().get()>"Add dog"</button>
        </ActionForm>
    }
}

fn dog_resource() -> Resource<Result<Option<Dog>, ServerFnError>> {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    Resource::new(move || id.get(), get_dog)
}

/// Renders `found` for the current user's dog, a 404 page otherwise.
fn with_dog<V: IntoView + 'static>(
    dog: Resource<Result<Option<Dog>, ServerFnError>>,
    found: impl Fn(Dog) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView {
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Fetching your dog…"</p> }>
            {move || {
                let found = found.clone();
                Suspend::new(async move {
                    match dog.await {
                        Ok(Some(dog)) => found(dog).into_any(),
                        Ok(None) => view! { <NotFound /> }.into_any(),
                        Err(err) => view! { <p class="error" role="alert">{user_message(&err)}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// `/dogs/{id}`: one dog, its photos and the photo upload. Just after adding
/// it (`?added`, where "Add dog" sends the browser, with or without
/// JavaScript) a status message says so, which screen readers announce.
#[component]
pub fn DogPage() -> impl IntoView {
    let dog = dog_resource();
    let added = use_query_map().with_untracked(|q| q.get("added").is_some());
    with_dog(dog, move |dog: Dog| {
        let id = dog.id.to_string();
        let title = match added {
            true => format!("{} is added", dog.name),
            false => dog.name.clone(),
        };
        view! {
            <Title text=title />
            {added.then(|| view! {
                <p class="notice toast" role="status" data-testid="dog-added">{format!("{} is added.", dog.name)}</p>
            })}
            <nav class="breadcrumb" aria-label="Breadcrumb"><A href="/dogs">"My dogs"</A></nav>
            <div class="page-head">
                <h1>{dog.name.clone()}</h1>
                <div class="actions">
                    <A href=format!("/dogs/{id}/edit") attr:class="button button-quiet">"Edit"</A>
                    <A href=format!("/dogs/{id}/delete") attr:class="button button-quiet">"Delete"</A>
                </div>
            </div>
            <p class="muted">{describe(&dog.size, dog.breed.as_deref())}{dog.birthday.as_deref().map(|b| format!(" · born {}", paws_inside::time::iso_day(b)))}</p>
            {(!dog.bio.is_empty()).then(|| view! { <p class="dog-bio">{dog.bio.clone()}</p> })}
            <section aria-labelledby="photos-heading" class="dog-photos">
                <h2 id="photos-heading">"Photos"</h2>
                <UploadErrorFromQuery />
                <DogPhotos dog=id name=dog.name.clone() photos=dog.photos.clone() />
            </section>
        }
    })
}

/// The upload form and the photo grid; new uploads are added in place, so the
/// upload's progress and thumbnail stay on screen.
#[island(lazy)]
fn DogPhotos(dog: String, name: String, photos: Vec<Photo>) -> impl IntoView {
    crate::preload::island("dog_photos");
    let photos = RwSignal::new(photos);
    let on_uploaded = Callback::new(move |photo| photos.update(|list| list.insert(0, photo)));
    let return_to = format!("/dogs/{dog}");
    view! {
        <UploadForm dog return_to on_uploaded label=format!("Add a photo of {name}") />
        <OwnPhotoGrid photos alt=name />
    }
}

/// `/dogs/{id}/edit`.
#[component]
pub fn EditDog() -> impl IntoView {
    let dog = dog_resource();
    with_dog(dog, move |dog: Dog| {
        view! {
            <Title text=format!("Edit {}", dog.name) />
            <h1>{format!("Edit {}", dog.name)}</h1>
            <EditDogForm id=dog.id.to_string() initial=dog.to_form() />
        }
    })
}

/// The edit form; keeps what was typed when the server says no.
#[island(lazy)]
fn EditDogForm(id: String, initial: DogForm) -> impl IntoView {
    crate::preload::island("edit_dog_form");
    let action = ServerAction::<UpdateDog>::new();
    let cancel = format!("/dogs/{id}");
    view! {
        <ActionForm action attr:class="form-card">
            <input type="hidden" name="id" value=id />
            <DogFields initial />
            {action_error(action.value())}
            <div class="actions">
                <button type="submit" class="button">"Save"</button>
                <a href=cancel class="button button-quiet">"Cancel"</a>
            </div>
        </ActionForm>
    }
}

/// `/dogs/{id}/delete`: asks before deleting (works without JavaScript).
#[component]
pub fn DeleteDog() -> impl IntoView {
    let dog = dog_resource();
    let action = ServerAction::<DeleteDog>::new();
    with_dog(dog, move |dog: Dog| {
        let photos = dog.photos.len();
        let what = match photos {
            0 => format!("{} will be removed.", dog.name),
            1 => format!("{} and 1 photo will be removed.", dog.name),
            n => format!("{} and {n} photos will be removed.", dog.name),
        };
        view! {
            <Title text=format!("Delete {}", dog.name) />
            <h1>{format!("Delete {}?", dog.name)}</h1>
            <p>{what} " This cannot be undone."</p>
            <ActionForm action attr:class="form-card">
                <input type="hidden" name="id" value=dog.id.to_string() />
                {action_error(action.value())}
                <div class="actions">
                    <button type="submit" class="button button-danger">{format!("Yes, delete {}", dog.name)}</button>
                    <A href=format!("/dogs/{}", dog.id) attr:class="button button-quiet">"Keep"</A>
                </div>
            </ActionForm>
        }
    })
}
