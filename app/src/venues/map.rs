//! The Leaflet map. Leaflet itself is vendored JavaScript; `public/map.js` wraps it
//! in a tiny `PawsMap` API that this component drives from Rust after hydration.
//! On the server the map is an empty, labelled box: the list carries the content.
//!
//! Markers travel as the JSON the server wrote (`markers_json`): the browser
//! hands them to Leaflet without parsing or re-encoding them in WASM, which
//! keeps float formatting and the marker types out of the home page's bundle.

use leptos::html::Div;
use leptos::prelude::*;
use paws_inside::MapMarker;

/// The JSON array of `markers`, as the map script reads it.
pub fn markers_json(markers: &[MapMarker]) -> String {
    serde_json::to_string(markers).unwrap_or_else(|_| "[]".to_owned())
}

/// A map showing `points` (a JSON array of markers, see [`markers_json`]).
/// With `box_query`, the map is a browser: panning or zooming loads the
/// venues inside the visible area that match that (encoded) filter.
#[component]
pub fn VenueMap(
    #[prop(into)] points: Signal<String>,
    #[prop(optional, into)] box_query: Option<Signal<String>>,
    #[prop(into)] label: String,
    #[prop(optional)] compact: bool,
    /// Lets the person pick a point by clicking; called with (lat, lng).
    #[prop(optional)]
    on_pick: Option<Callback<(f64, f64)>>,
) -> impl IntoView {
    let node = NodeRef::<Div>::new();
    #[cfg(feature = "hydrate")]
    client::drive(node, points, box_query, compact, on_pick);
    #[cfg(not(feature = "hydrate"))]
    let _ = (points, box_query, on_pick);
    let class = if compact { "map map-compact" } else { "map" };
    view! { <div class=class node_ref=node role="region" aria-label=label data-testid="map"></div> }
}

#[cfg(feature = "hydrate")]
mod client {
    use leptos::html::Div;
    use leptos::prelude::*;
    use leptos::wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(catch, js_namespace = PawsMap, js_name = mount)]
        fn mount(el: &web_sys::HtmlElement, options: &str) -> Result<u32, JsValue>;
        #[wasm_bindgen(catch, js_namespace = PawsMap, js_name = setMarkers)]
        fn set_markers(id: u32, markers: &str) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_namespace = PawsMap, js_name = setBox)]
        fn set_box(id: u32, query: &str) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_namespace = PawsMap, js_name = fit)]
        fn fit(id: u32, markers: &str) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_namespace = PawsMap, js_name = pick)]
        fn pick(id: u32, on_pick: &JsValue) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_namespace = PawsMap, js_name = unmount)]
        fn unmount(id: u32) -> Result<(), JsValue>;
    }

    fn report(what: &str, err: JsValue) {
        leptos::logging::warn!("map: {what} failed: {err:?}");
    }

    /// Mounts the map once the element exists, keeps markers and the box
    /// filter in step with the signals.
    pub fn drive(
        node: NodeRef<Div>,
        points: Signal<String>,
        box_query: Option<Signal<String>>,
        compact: bool,
        on_pick: Option<Callback<(f64, f64)>>,
    ) {
        let handle = StoredValue::new(0u32);
        Effect::new(move |_| {
            let markers = points.get();
            let query = box_query.map(|q| q.get());
            let Some(el) = node.get() else { return };
            if handle.get_value() == 0 {
                // `box` (a JSON string or null) makes map.js load the visible area.
                let boxed = if query.is_some() { r#","box":"""# } else { "" };
                let options = format!(r#"{{"interactive":{}{boxed}}}"#, !compact);
                match mount(&el, &options) {
                    Ok(id) => handle.set_value(id),
                    Err(err) => return report("mount", err),
                }
                if let Some(cb) = on_pick {
                    let closure = Closure::<dyn FnMut(f64, f64)>::new(move |lat, lng| cb.run((lat, lng)));
                    if let Err(err) = pick(handle.get_value(), &closure.into_js_value()) {
                        report("pick", err);
                    }
                }
            }
            let id = handle.get_value();
            if let Some(query) = query
                && let Err(err) = set_box(id, &query)
            {
                report("box", err);
            }
            if let Err(err) = set_markers(id, &markers).and_then(|_| fit(id, &markers)) {
                report("fit", err);
            }
        });
        on_cleanup(move || {
            let id = handle.get_value();
            if id != 0 {
                let _ = unmount(id);
            }
        });
    }
}

/// A small map of one place (the venue page); `markers` is its one marker as JSON.
#[island]
pub fn PlaceMap(markers: String, label: String) -> impl IntoView {
    view! { <VenueMap points=Signal::stored(markers) label compact=true /> }
}
