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

/// A map showing `points` (a JSON array of markers, see [`markers_json`]),
/// fitted to them unless `view` (JSON `[south, west, north, east]`) says what
/// to show. With `box_query`, the map is a browser: panning or zooming loads
/// the markers or clusters inside the visible area that match that (encoded)
/// filter, and `on_move` hears of the person's moves.
#[component]
pub fn VenueMap(
    #[prop(into)] points: Signal<String>,
    #[prop(optional, into)] box_query: Option<Signal<String>>,
    #[prop(optional, into)] view: Option<Signal<String>>,
    /// Called with `south,west,north,east` (as map.js wrote the numbers)
    /// after the person pans or zooms.
    #[prop(optional)]
    on_move: Option<Callback<String>>,
    #[prop(into)] label: String,
    #[prop(optional)] compact: bool,
    /// Lets the person pick a point by clicking; called with (lat, lng).
    #[prop(optional)]
    on_pick: Option<Callback<(f64, f64)>>,
) -> impl IntoView {
    let node = NodeRef::<Div>::new();
    #[cfg(feature = "hydrate")]
    client::drive(node, points, box_query, view, compact, on_pick, on_move);
    #[cfg(not(feature = "hydrate"))]
    let _ = (points, box_query, view, on_pick, on_move);
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
        #[wasm_bindgen(catch, js_namespace = PawsMap, js_name = fitView)]
        fn fit_view(id: u32, view: &str) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_namespace = PawsMap, js_name = onMove)]
        fn on_move_js(id: u32, callback: &JsValue) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_namespace = PawsMap, js_name = pick)]
        fn pick(id: u32, on_pick: &JsValue) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_namespace = PawsMap, js_name = unmount)]
        fn unmount(id: u32) -> Result<(), JsValue>;
    }

    fn report(what: &str, err: JsValue) {
        leptos::logging::warn!("map: {what} failed: {err:?}");
    }

    /// Mounts the map once the element exists; then one effect per input, so
    /// a new filter does not move the map and a new view does not redraw it.
    pub fn drive(
        node: NodeRef<Div>,
        points: Signal<String>,
        box_query: Option<Signal<String>>,
        view: Option<Signal<String>>,
        compact: bool,
        on_pick: Option<Callback<(f64, f64)>>,
        on_move: Option<Callback<String>>,
    ) {
        let handle = StoredValue::new(0u32);
        let mounted = move || node.get().map(|_| handle.get_value()).filter(|id| *id != 0);
        Effect::new(move |_| {
            let Some(el) = node.get() else { return };
            if handle.get_value() != 0 {
                return;
            }
            // `box` (a JSON string or null) makes map.js load the visible area.
            let boxed = match box_query.map(|q| q.get_untracked()) {
                Some(q) => format!(r#","box":"{}""#, json_escape(&q)),
                None => String::new(),
            };
            // A picker is small but needs its zoom buttons and dragging.
            let options = format!(r#"{{"interactive":{}{boxed}}}"#, !compact || on_pick.is_some());
            match mount(&el, &options) {
                Ok(id) => handle.set_value(id),
                Err(err) => return report("mount", err),
            }
            let id = handle.get_value();
            if let Some(cb) = on_pick {
                let closure = Closure::<dyn FnMut(f64, f64)>::new(move |lat, lng| cb.run((lat, lng)));
                if let Err(err) = pick(id, &closure.into_js_value()) {
                    report("pick", err);
                }
            }
            if let Some(cb) = on_move {
                let closure = Closure::<dyn FnMut(String)>::new(move |view| cb.run(view));
                if let Err(err) = on_move_js(id, &closure.into_js_value()) {
                    report("onMove", err);
                }
            }
        });
        Effect::new(move |_| {
            let query = box_query.map(|q| q.get());
            if let (Some(id), Some(query)) = (mounted(), query)
                && let Err(err) = set_box(id, &query)
            {
                report("box", err);
            }
        });
        Effect::new(move |_| {
            let markers = points.get();
            let Some(id) = mounted() else { return };
            let shown = set_markers(id, &markers).and_then(|_| match view {
                Some(_) => Ok(()),
                None => fit(id, &markers),
            });
            if let Err(err) = shown {
                report("fit", err);
            }
        });
        Effect::new(move |_| {
            let frame = view.map(|v| v.get());
            if let (Some(id), Some(frame)) = (mounted(), frame)
                && let Err(err) = fit_view(id, &frame)
            {
                report("view", err);
            }
        });
        on_cleanup(move || {
            let id = handle.get_value();
            if id != 0 {
                let _ = unmount(id);
            }
        });
    }

    /// The inside of a JSON string (serde_json's `Value` would bring float
    /// formatting into the WASM).
    fn json_escape(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out
    }
}

/// A small map of one place (the venue page); `markers` is its one marker as JSON.
#[island]
pub fn PlaceMap(markers: String, label: String) -> impl IntoView {
    view! { <VenueMap points=Signal::stored(markers) label compact=true /> }
}
