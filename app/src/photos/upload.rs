//! The photo upload form.

use crate::auth::MintKeyField;
use leptos::prelude::*;
use paws_inside::Photo;

/// What the last upload did.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Outcome {
    Done(String),
    Failed(String),
}

/// Upload a photo of a dog (`dog`) and/or at a venue (`venue`). `dog_choices`
/// adds a "Which dog?" select (id, name). `on_uploaded` runs after success.
#[component]
pub fn UploadForm(
    #[prop(optional)] dog: Option<String>,
    #[prop(optional)] venue: Option<String>,
    #[prop(optional)] dog_choices: Vec<(String, String)>,
    return_to: String,
    #[prop(optional)] on_uploaded: Option<Callback<Photo>>,
    #[prop(into)] label: String,
) -> impl IntoView {
    let progress = RwSignal::new(None::<f64>);
    let outcome = RwSignal::new(None::<Outcome>);
    let busy = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        client::submit(ev, progress, outcome, busy, on_uploaded);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, on_uploaded, &progress, &outcome, &busy);
    };
    let action = action(dog.as_deref(), venue.as_deref(), &return_to);
    view! {
        <form class="upload form-card" action=action method="post" enctype="multipart/form-data" on:submit=on_submit>
            <div class="field">
                <label for="photo-file">{label}</label>
                <input id="photo-file" type="file" name="photo" accept="image/jpeg,image/png,image/webp" required />
                <p class="muted small">"JPEG, PNG or WebP, up to 15 MB. Location data is removed."</p>
            </div>
            {(!dog_choices.is_empty()).then(|| view! {
                <div class="field">
                    <label for="photo-dog">"Which dog?"</label>
                    <select id="photo-dog" name="dog">
                        {dog_choices.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </div>
            })}
            {dog.map(|id| view! { <input type="hidden" name="dog" value=id /> })}
            {venue.map(|slug| view! { <input type="hidden" name="venue" value=slug /> })}
            <MintKeyField />
            <input type="hidden" name="return_to" value=return_to />
            <button type="submit" class="button" disabled=move || busy.get()>"Upload photo"</button>
            {move || progress.get().map(|p| view! {
                <div class="upload-progress">
                    <label for="upload-progress">{if p >= 100.0 { "Upload complete" } else { "Uploading…" }}</label>
                    <progress id="upload-progress" max="100" value=p.round().to_string()>{format!("{p:.0}%")}</progress>
                </div>
            })}
            {move || outcome.get().map(|o| match o {
                Outcome::Done(thumb) => view! {
                    <p class="upload-done" role="status">
                        <img src=thumb alt="The photo you just uploaded" class="upload-thumb" width="120" />
                        "Photo added."
                    </p>
                }.into_any(),
                Outcome::Failed(msg) => view! { <p class="error" role="alert">{msg}</p> }.into_any(),
            })}
        </form>
    }
}

/// The form's address names what the photo is of (and where a plain form
/// goes back to), so the server can turn an upload away before reading its
/// body. The same values are in the body too, for pages from before.
fn action(dog: Option<&str>, venue: Option<&str>, return_to: &str) -> String {
    let mut query = vec![];
    if let Some(dog) = dog {
        query.push(format!("dog={}", encode(dog)));
    }
    if let Some(venue) = venue {
        query.push(format!("venue={}", encode(venue)));
    }
    query.push(format!("return_to={}", encode(return_to)));
    format!("/api/photos?{}", query.join("&"))
}

/// Percent-encodes all but unreserved characters and `/`.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(feature = "hydrate")]
mod client {
    use super::Outcome;
    use leptos::prelude::*;
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;
    use paws_inside::Photo;
    use web_sys::{FormData, HtmlFormElement, ProgressEvent, XmlHttpRequest};

    #[derive(serde::Deserialize)]
    struct Answer {
        photo: Option<paws_inside::Photo>,
        error: Option<String>,
    }

    /// Uploads with XHR so the progress bar can move.
    pub fn submit(
        ev: leptos::ev::SubmitEvent,
        progress: RwSignal<Option<f64>>,
        outcome: RwSignal<Option<Outcome>>,
        busy: RwSignal<bool>,
        on_uploaded: Option<Callback<Photo>>,
    ) {
        let Some(form) = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok()) else {
            return;
        };
        ev.prevent_default();
        busy.set(true);
        outcome.set(None);
        progress.set(Some(0.0));
        leptos::task::spawn_local(async move {
            if let Err(err) = crate::auth::ensure_guest().await {
                fail(outcome, busy, progress, crate::error::user_message(&err));
                return;
            }
            if let Err(err) = send(&form, progress, outcome, busy, on_uploaded) {
                leptos::logging::warn!("upload failed to start: {err:?}");
                fail(
                    outcome,
                    busy,
                    progress,
                    "The photo could not be uploaded. Please try again.".into(),
                );
            }
        });
    }

    fn fail(
        outcome: RwSignal<Option<Outcome>>,
        busy: RwSignal<bool>,
        progress: RwSignal<Option<f64>>,
        msg: String,
    ) {
        outcome.set(Some(Outcome::Failed(msg)));
        progress.set(None);
        busy.set(false);
    }

    fn send(
        form: &HtmlFormElement,
        progress: RwSignal<Option<f64>>,
        outcome: RwSignal<Option<Outcome>>,
        busy: RwSignal<bool>,
        on_uploaded: Option<Callback<Photo>>,
    ) -> Result<(), leptos::wasm_bindgen::JsValue> {
        let data = FormData::new_with_form(form)?;
        let xhr = XmlHttpRequest::new()?;
        // The form's own address: it names the dog or venue for the server's early checks.
        xhr.open_with_async("POST", &form.action(), true)?;
        xhr.set_request_header("Accept", "application/json")?;
        let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                progress.set(Some((e.loaded() / e.total() * 100.0).min(99.0)));
            }
        });
        xhr.upload()?
            .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        on_progress.forget();
        let done = xhr.clone();
        let form = form.clone();
        let on_load = Closure::once_into_js(move || {
            let status = done.status().unwrap_or(0);
            let text = done.response_text().ok().flatten().unwrap_or_default();
            let answer: Option<Answer> = serde_json::from_str(&text).ok();
            busy.set(false);
            match (status, answer) {
                (
                    201,
                    Some(Answer {
                        photo: Some(photo), ..
                    }),
                ) => {
                    progress.set(Some(100.0));
                    outcome.set(Some(Outcome::Done(photo.thumb_url())));
                    form.reset();
                    if let Some(cb) = on_uploaded {
                        cb.run(photo);
                    }
                }
                (_, Some(Answer { error: Some(msg), .. })) => fail(outcome, busy, progress, msg),
                _ => fail(
                    outcome,
                    busy,
                    progress,
                    "The photo could not be uploaded. Please try again.".into(),
                ),
            }
        });
        xhr.set_onload(Some(on_load.unchecked_ref()));
        let on_error = Closure::once_into_js(move || {
            fail(
                outcome,
                busy,
                progress,
                "The upload was interrupted. Check your connection and try again.".into(),
            );
        });
        xhr.set_onerror(Some(on_error.unchecked_ref()));
        xhr.send_with_opt_form_data(Some(&data))
    }
}
