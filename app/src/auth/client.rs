//! Browser side of lazy guests: `ensure_guest()` runs right before the first
//! contribution. One call in flight per tab; a mint key in localStorage makes
//! calls from several tabs land on the same guest.

use super::ensure_session;
use leptos::prelude::*;
use paws_inside::SessionUser;

/// localStorage key of this browser's mint key (not a cookie; never sent on reads).
#[cfg(feature = "hydrate")]
const MINT_KEY_STORAGE: &str = "paws.mint-key";

/// The hidden `mint_key` field of a contribution form. Rendered by the server
/// it is random (a no-JavaScript double submit still mints one guest); once its
/// island hydrates it becomes this browser's mint key, so the guest the form
/// mints is the one every other tab of this browser gets too.
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
    let key = uuid::Uuid::new_v4().simple().to_string();
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
pub async fn ensure_guest() -> Result<SessionUser, ServerFnError> {
    single_flight().await
}

#[cfg(feature = "hydrate")]
async fn single_flight() -> Result<SessionUser, ServerFnError> {
    use std::cell::RefCell;
    type Shared = futures::future::Shared<
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<SessionUser, ServerFnError>>>>,
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
async fn single_flight() -> Result<SessionUser, ServerFnError> {
    ensure_session(None).await
}
