//! Browser side of lazy guests: `ensure_guest()` runs right before the first
//! contribution. One call in flight per tab; a mint key in localStorage makes
//! calls from several tabs land on the same guest.

use super::ensure_session;
use leptos::prelude::*;
use paws_inside::User;

/// localStorage key of this browser's mint key (not a cookie; never sent on reads).
#[cfg(feature = "hydrate")]
const MINT_KEY_STORAGE: &str = "paws.mint-key";

/// The hidden `mint_key` field of a contribution form. Rendered by the server
/// its value is the response's CSP nonce: new for every response (the page
/// cache puts a fresh nonce into every copy of a page it serves), so no two
/// visitors ever hold one key, while a no-JavaScript double submit of one page
/// still sends one key and mints one guest. Once the form's island hydrates it
/// becomes this browser's mint key, so every tab of this browser gets the same
/// guest too.
#[component]
pub fn MintKeyField() -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if let (Some(el), Some(key)) = (input.get(), browser_mint_key()) {
            el.set_value(&key);
        }
    });
    #[cfg(feature = "ssr")]
    let key = leptos::nonce::use_nonce()
        .map(|n| n.to_string())
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let key = String::new();
    view! { <input type="hidden" name="mint_key" value=key node_ref=input /> }
}

#[cfg(feature = "hydrate")]
fn browser_mint_key() -> Option<String> {
    let window = web_sys::window()?;
    let storage = window.local_storage().ok()??;
    if let Ok(Some(key)) = storage.get_item(MINT_KEY_STORAGE) {
        return Some(key);
    }
    let key = window.crypto().ok()?.random_uuid();
    let _ = storage.set_item(MINT_KEY_STORAGE, &key);
    Some(key)
}

/// Makes sure this browser has a session, minting a guest if needed. Safe to
/// call on every contribution: with a session it costs the one session lookup.
pub async fn ensure_guest() -> Result<User, ServerFnError> {
    single_flight().await
}

#[cfg(feature = "hydrate")]
async fn single_flight() -> Result<User, ServerFnError> {
    use std::cell::RefCell;
    type Shared = futures::future::Shared<
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<User, ServerFnError>>>>,
    >;
    thread_local! {
        static IN_FLIGHT: RefCell<Option<Shared>> = const { RefCell::new(None) };
    }
    use futures::FutureExt;
    let fut = IN_FLIGHT.with(|slot| {
        slot.borrow_mut()
            .get_or_insert_with(|| {
                let fut: std::pin::Pin<Box<dyn std::future::Future<Output = _>>> =
                    Box::pin(ensure_session(browser_mint_key()));
                fut.shared()
            })
            .clone()
    });
    let result = fut.await;
    IN_FLIGHT.with(|slot| slot.borrow_mut().take());
    result
}

#[cfg(not(feature = "hydrate"))]
async fn single_flight() -> Result<User, ServerFnError> {
    ensure_session(None).await
}
