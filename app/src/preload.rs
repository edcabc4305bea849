//! Starts fetching a lazy island's WASM chunks together with the page.
//!
//! Leptos preloads the chunks of lazy *routes*, not of lazy islands: without a
//! hint the browser asks for an island's chunks only once the main module runs
//! (on a venue page its 57 chunks started ~0.4 s after the page; with the hints
//! the page is interactive after 0.56–0.94 s instead of 0.88–1.34 s, Chromium on
//! this machine, release build). The split manifest names each island's loader
//! `<snake_case name>_loader_<hash>`; a lazy island calls [`island`] while it
//! renders on the server, which puts a `<link rel="preload">` per chunk into the
//! page's head. The browser's fetch of a chunk (`fetch()`: CORS mode, same-origin
//! credentials) then finds it preloaded (`crossorigin="anonymous"` matches).

/// The islands and chunks this response preloads already (one per request):
/// islands on one page share chunks, and each is fetched once.
#[cfg(feature = "ssr")]
#[derive(Clone, Default)]
pub struct Preloaded(std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>);

/// Starts a response's record of preloaded islands (the app calls it once per render).
pub fn provide() {
    #[cfg(feature = "ssr")]
    leptos::prelude::provide_context(Preloaded::default());
}

/// Preloads the chunks of the lazy island `name` (its function name in snake case).
pub fn island(name: &'static str) {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::*;
        use leptos_meta::Link;
        // No manifest (a build without `--split`): nothing to preload. A
        // `Suspense` may render an island more than once: its links go in once.
        let (Some(manifest), Some(done)) = (
            use_context::<leptos::WasmSplitManifest>(),
            use_context::<Preloaded>(),
        ) else {
            return;
        };
        if !done
            .0
            .lock()
            .is_ok_and(|mut seen| seen.insert(format!("island:{name}")))
        {
            return;
        }
        let read = manifest.0.read_value();
        let (pkg, loaders, _) = &*read;
        let prefix = format!("{name}_loader_");
        let Some(chunks) = loaders
            .iter()
            .find_map(|(key, chunks)| key.starts_with(&prefix).then_some(chunks))
        else {
            return;
        };
        let fresh: Vec<&String> = match done.0.lock() {
            Ok(mut seen) => chunks.iter().filter(|c| seen.insert(c.to_string())).collect(),
            Err(_) => return,
        };
        for chunk in fresh {
            // Rendering a `Link` registers it with the head; the output here is empty.
            let _ = view! {
                <Link
                    rel="preload"
                    href=format!("{pkg}/{chunk}.wasm")
                    as_="fetch"
                    type_="application/wasm"
                    crossorigin="anonymous"
                />
            }
            .to_html();
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = name;
}
