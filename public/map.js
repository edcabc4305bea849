// PawsMap: the small surface of Leaflet that the Rust UI drives (see
// app/src/venues/map.rs). Markers are built with DOM APIs, never HTML strings,
// so venue names cannot inject markup. Works with the tile server unreachable:
// tiles fail quietly, markers still render and open their popups.
// A browsing map (the directory) loads the venues of the visible area from
// `/api/venues/box` on every pan or zoom; Rust hands it the filter's query
// string (`setBox`), as the server wrote it for the page URL.
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

  function mount(el, optionsJson) {
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
    const entry = { map: map, layer: layer, box: options.box, seq: 0, timer: 0 };
    // Debounced; a sequence number drops answers that arrive after a newer request.
    entry.moved = function () {
      if (typeof entry.box !== "string") return;
      clearTimeout(entry.timer);
      entry.timer = setTimeout(function () {
        const b = map.getBounds();
        const seq = ++entry.seq;
        const url = "/api/venues/box?south=" + b.getSouth() + "&west=" + b.getWest() +
          "&north=" + b.getNorth() + "&east=" + b.getEast() + (entry.box ? "&" + entry.box : "");
        fetch(url, { headers: { accept: "application/json" } })
          .then(function (res) { return res.ok ? res.text() : Promise.reject(new Error("status " + res.status)); })
          .then(function (json) { if (seq === entry.seq) setMarkers(id, json); })
          .catch(function (err) { console.warn("map: loading venues failed:", err); });
      }, 250);
    };
    map.on("moveend", entry.moved);
    maps.set(id, entry);
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

  // A new filter: later pans and zooms load with it.
  function setBox(id, box) {
    const entry = maps.get(id);
    if (entry) entry.box = box;
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

  window.PawsMap = { mount: mount, setMarkers: setMarkers, setBox: setBox, fit: fit, pick: pick, unmount: unmount };
})();
