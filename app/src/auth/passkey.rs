//! Passkey buttons: plain markup that `public/passkeys.js` wires up (a
//! passkey needs JavaScript; without it, or where the site cannot use
//! passkeys, nothing shows).

use leptos::prelude::*;

/// Whether this site can use passkeys (it is reached by a domain name).
#[server(prefix = "/api", endpoint = "auth/passkeys")]
pub async fn passkeys_enabled() -> Result<bool, ServerFnError> {
    Ok(crate::error::ctx()?.passkeys.enabled())
}

/// A passkey button (`kind`: "sign-in" or "register") with its status line
/// and the script; hidden until the script shows it.
#[component]
pub fn PasskeyButton(
    kind: &'static str,
    label: &'static str,
    #[prop(optional)] with_name: bool,
) -> impl IntoView {
    let enabled = Resource::new(|| (), |_| passkeys_enabled());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                enabled.await.unwrap_or(false).then(|| view! {
                    <div class="passkey">
                        {with_name.then(|| view! {
                            <div class="field" data-passkey hidden>
                                <label for="passkey-name">"Name for this passkey " <span class="muted">"(optional, e.g. “Laptop”)"</span></label>
                                <input id="passkey-name" data-passkey-name maxlength="60" autocomplete="off" />
                            </div>
                        })}
                        <button type="button" class="button button-quiet" data-passkey=kind hidden data-testid=format!("passkey-{kind}")>{label}</button>
                        <p class="error" role="alert" data-passkey-status hidden></p>
                        <script defer src="/passkeys.js"></script>
                    </div>
                })
            })}
        </Suspense>
    }
}
