//! "Report this photo": anyone may flag a photo once, with a reason from a
//! short list and an optional note. Admins review reports on `/admin`.

use leptos::prelude::*;
use paws_inside::moderation::REPORT_REASONS;

/// Stores a report by this browser's user (a guest is made if needed). A
/// second report of the same photo by the same person changes nothing.
#[server(prefix = "/api", endpoint = "photos/report")]
pub async fn report_photo(
    #[server(default)] photo: String,
    #[server(default)] reason: String,
    #[server(default)] note: String,
    #[server(default)] mint_key: Option<String>,
) -> Result<(), ServerFnError> {
    let mut caller = crate::auth::session::caller().await?;
    paws_inside::photos::flows::report(
        &crate::error::ctx()?,
        &mut caller,
        &photo,
        &reason,
        &note,
        mint_key.as_deref(),
    )
    .await
    .map_err(crate::error::fail)
}

/// A small disclosure under a photo with the report form.
#[component]
pub fn ReportPhoto(photo: uuid::Uuid) -> impl IntoView {
    let action = ServerAction::<ReportPhoto>::new();
    let id = format!("report-{photo}");
    view! {
        <details class="report-photo">
            <summary>"Report"</summary>
            {move || match action.value().get() {
                Some(Ok(())) => view! { <p class="small" role="status">"Thanks, we will take a look."</p> }.into_any(),
                other => {
                    let error = other.and_then(|r| r.err()).map(|e| crate::error::user_message(&e));
                    let id = id.clone();
                    view! {
                        <ActionForm action>
                            <input type="hidden" name="photo" value=photo.to_string() />
                            <crate::auth::MintKeyField />
                            <label for=id.clone()>"Why?"</label>
                            <select id=id name="reason">
                                {REPORT_REASONS.iter().map(|(k, l)| view! { <option value=*k>{*l}</option> }).collect_view()}
                            </select>
                            <input name="note" maxlength=paws_inside::photos::REPORT_NOTE.max placeholder="Anything we should know? (optional)" aria-label="Note" />
                            {error.map(|e| view! { <p class="error small" role="alert">{e}</p> })}
                            <button type="submit" class="button button-quiet">"Send report"</button>
                        </ActionForm>
                    }.into_any()
                }
            }}
        </details>
    }
}
