// PawsMap: the small surface of Leaflet that the Rust UI drives (see
// app/src/venues/map.rs). Markers are built with DOM APIs, never HTML strings,
// so venue names cannot inject markup. Works with the tile server unreachable:
// tiles fail quietly, markers still render and open their popups.
(function () {
  "use strict";
  const maps = new Map();
  let nextId = 1;

  function meta(name, fallback) {
    const el = document.querySelector('meta[name="' + name + '"]');
    return (el && el.content) || fallback;
  }

  function popup(m) {
    const box = document.createElement("div");
    box.className = "map-popup";
    const link = document.createElement("a");
    link.href = "/venues/" + encodeURIComponent(m.slug);
    link.textContent = m.name;
    box.appendChild(link);
    return box;
  }

  function icon(m) {
    return L.divIcon({
      className: "venue-marker venue-marker-" + m.category,
      html: "<span></span>",
      iconSize: [26, 26],
      iconAnchor: [13, 26],
      popupAnchor: [0, -24],
    });
  }

  function mount(el, optionsJson, onMove) {
    if (!window.L) throw new Error("Leaflet did not load");
    const options = JSON.parse(optionsJson);
    const interactive = options.interactive !== false;
    const map = L.map(el, {
      zoomControl: interactive,
      scrollWheelZoom: false,
      dragging: interactive || !L.Browser.mobile,
      tap: false,
    }).setView([50.5, 8.5], 4);
    L.tileLayer(meta("paws-tile-url", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"), {
      attribution: meta("paws-tile-attribution", "&copy; OpenStreetMap contributors"),
      maxZoom: 19,
    }).addTo(map);
    const layer = L.layerGroup().addTo(map);
    const id = nextId++;
    let timer = 0;
    const moved = function () {
      if (typeof onMove !== "function") return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        const b = map.getBounds();
        onMove(id, b.getSouth(), b.getWest(), b.getNorth(), b.getEast());
      }, 250);
    };
    map.on("moveend", moved);
    maps.set(id, { map: map, layer: layer, moved: moved });
    el.dataset.mapId = String(id);
    return id;
  }

  function setMarkers(id, json) {
    const entry = maps.get(id);
    if (!entry || entry.json === json) return; // unchanged
    entry.json = json;
    // Update in place, keyed by venue: a refresh (the map moved, the results
    // changed) keeps the markers that stay, so a popup someone opened stays open.
    const keep = new Map();
    for (const m of JSON.parse(json)) keep.set(m.slug, m);
    entry.layer.eachLayer(function (l) {
      const m = keep.get(l.options.slug);
      if (!m) { entry.layer.removeLayer(l); return; }
      l.setLatLng([m.lat, m.lng]).setIcon(icon(m)).setPopupContent(popup(m));
      keep.delete(m.slug);
    });
    keep.forEach(function (m) {
      L.marker([m.lat, m.lng], { icon: icon(m), title: m.name, keyboard: true, riseOnHover: true, slug: m.slug })
        .bindPopup(popup(m))
        .addTo(entry.layer);
    });
    entry.map.getContainer().dataset.markers = String(entry.layer.getLayers().length);
  }

  function fit(id, json) {
    const entry = maps.get(id);
    if (!entry) return;
    const points = JSON.parse(json).map(function (m) { return [m.lat, m.lng]; });
    if (points.length === 1) {
      entry.map.setView(points[0], 15);
    } else if (points.length > 1) {
      entry.map.fitBounds(points, { padding: [24, 24], maxZoom: 15 });
    }
    entry.moved();
  }

  function pick(id, onPick) {
    const entry = maps.get(id);
    if (!entry) return;
    let marker = null;
    entry.map.on("click", function (e) {
      if (marker) marker.setLatLng(e.latlng);
      else marker = L.marker(e.latlng, { icon: icon({ category: "pick" }), keyboard: false }).addTo(entry.map);
      onPick(e.latlng.lat, e.latlng.lng);
    });
  }

  function unmount(id) {
    const entry = maps.get(id);
    if (!entry) return;
    entry.map.remove();
    maps.delete(id);
  }

  window.PawsMap = { mount: mount, setMarkers: setMarkers, fit: fit, pick: pick, unmount: unmount };
})();
