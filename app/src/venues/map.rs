//! The Leaflet map. Leaflet itself is vendored JavaScript; `public/map.js` wraps it
//! in a tiny `PawsMap` API that this component drives from Rust after hydration.
//! On the server the map is an empty, labelled box: the list carries the content.

use leptos::html::Div;
use leptos::prelude::*;
use paws_inside::{MapMarker, VenueFilter};

/// A map showing `points`. With a `filter`, the map is a browser: panning or
/// zooming loads the matching venues inside the visible area.
#[component]
pub fn VenueMap(
    #[prop(into)] points: Signal<Vec<MapMarker>>,
    #[prop(optional, into)] filter: Option<Signal<VenueFilter>>,
    #[prop(into)] label: String,
    #[prop(optional)] compact: bool,
    /// Lets the person pick a point by clicking; called with (lat, lng).
    #[prop(optional)]
    on_pick: Option<Callback<(f64, f64)>>,
) -> impl IntoView {
    let node = NodeRef::<Div>::new();
    #[cfg(feature = "hydrate")]
    client::drive(node, points, filter, compact, on_pick);
    #[cfg(not(feature = "hydrate"))]
    let _ = (points, filter, on_pick);
    let class = if compact { "map map-compact" } else { "map" };
    view! { <div class=class node_ref=node role="region" aria-label=label data-testid="map"></div> }
}

#[cfg(feature = "hydrate")]
mod client {
    use super::super::api::venues_in_box;
    use leptos::html::Div;
    use leptos::prelude::*;
    use leptos::wasm_bindgen::prelude::*;
    use paws_inside::{MapMarker, VenueFilter};
    use std::cell::Cell;
    use std::rc::Rc;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(catch, js_namespace = PawsMap, js_name = mount)]
        fn mount(el: &web_sys::HtmlElement, options: &str, on_move: &JsValue) -> Result<u32, JsValue>;
        #[wasm_bindgen(catch, js_namespace = PawsMap, js_name = setMarkers)]
        fn set_markers(id: u32, markers: &str) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_namespace = PawsMap, js_name = fit)]
        fn fit(id: u32, markers: &str) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_namespace = PawsMap, js_name = pick)]
        fn pick(id: u32, on_pick: &JsValue) -> Result<(), JsValue>;
        #[wasm_bindgen(catch, js_namespace = PawsMap, js_name = unmount)]
        fn unmount(id: u32) -> Result<(), JsValue>;
    }

    fn to_json(markers: &[MapMarker]) -> String {
        serde_json::to_string(markers).unwrap_or_else(|_| "[]".to_owned())
    }

    fn report(what: &str, err: JsValue) {
        leptos::logging::warn!("map: {what} failed: {err:?}");
    }

    /// Mounts the map once the element exists, keeps markers in step with `points`.
    pub fn drive(
        node: NodeRef<Div>,
        points: Signal<Vec<MapMarker>>,
        filter: Option<Signal<VenueFilter>>,
        compact: bool,
        on_pick: Option<Callback<(f64, f64)>>,
    ) {
        let handle = StoredValue::new(0u32);
        Effect::new(move |_| {
            let markers = points.get();
            let Some(el) = node.get() else { return };
            if handle.get_value() == 0 {
                let on_move = filter.map(box_loader).unwrap_or(JsValue::NULL);
                let options = format!(r#"{{"interactive":{}}}"#, !compact);
                match mount(&el, &options, &on_move) {
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
            let json = to_json(&markers);
            let id = handle.get_value();
            if let Err(err) = set_markers(id, &json).and_then(|_| fit(id, &json)) {
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

    /// The map's `moveend` callback (debounced in JS): loads the box's venues.
    /// A sequence number drops answers that arrive after a newer request.
    fn box_loader(filter: Signal<VenueFilter>) -> JsValue {
        let latest = Rc::new(Cell::new(0u64));
        let callback = move |id: u32, south: f64, west: f64, north: f64, east: f64| {
            let seq = latest.get() + 1;
            latest.set(seq);
            let latest = latest.clone();
            let filter = filter.get_untracked();
            leptos::task::spawn_local(async move {
                match venues_in_box(south, west, north, east, filter).await {
                    Ok(markers) if latest.get() == seq => {
                        if let Err(err) = set_markers(id, &to_json(&markers)) {
                            report("markers", err);
                        }
                    }
                    Ok(_) => {}
                    Err(err) => leptos::logging::warn!("map: loading venues failed: {err}"),
                }
            });
        };
        Closure::<dyn FnMut(u32, f64, f64, f64, f64)>::new(callback).into_js_value()
    }
}

/// A small map of one place (the venue page).
#[island]
pub fn PlaceMap(point: MapMarker, label: String) -> impl IntoView {
    view! { <VenueMap points=Signal::stored(vec![point]) label compact=true /> }
}
