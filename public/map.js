// PawsMap: the small surface of Leaflet that the Rust UI drives (see
// app/src/venues/map.rs). Markers are built with DOM APIs, never HTML strings,
// so venue names cannot inject markup. Works with the tile server unreachable:
// tiles fail quietly, markers still render and open their popups.
// A browsing map (the directory) loads the venues of the visible area from
// `/api/venues/box` on every pan or zoom, as markers or as clusters; Rust
// hands it the filter's query string (`setBox`), as the server wrote it for
// the page URL, and hears of the person's moves (`onMove`) to reload its list.
// The home page drives it from public/home.js instead (no WASM there).
// Keyboard: a map's markers and clusters are one tab stop (a roving tabindex);
// the arrow keys move between them (left/right west to east, up/down north to
// south, Home/End), Enter opens a marker's popup or zooms into a cluster.
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
    if (VERDICTS[m.verdict]) {
      const said = document.createElement("div");
      said.textContent = VERDICTS[m.verdict][0] + " " + VERDICTS[m.verdict][1];
      box.appendChild(said);
    }
    return box;
  }

  // The verdict's sign and words (venues::verdict::Verdict): a sign on the
  // pin and words in its title and popup, never colour alone.
  const VERDICTS = {
    confirmed: ["✓", "confirmed by dog owners"],
    disputed: ["?", "disputed"],
    not_welcome: ["✕", "reported not welcome"],
  };

  function icon(m) {
    const v = VERDICTS[m.verdict];
    return L.divIcon({
      className: "venue-marker venue-marker-" + m.category + (v ? " venue-marker-" + m.verdict : ""),
      html: v ? '<span></span><b class="venue-marker-sign">' + v[0] + "</b>" : "<span></span>",
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
    const clusters = L.layerGroup().addTo(map);
    const id = nextId++;
    const entry = { map: map, layer: layer, clusters: clusters, box: options.box, seq: 0, timer: 0,
      quiet: false, userMoved: false, onMove: null, current: null, here: null };
    el.addEventListener("keydown", function (e) { onKey(entry, e); });
    // Debounced; a sequence number drops answers that arrive after a newer
    // request. Moves the page made itself (`quiet`) reload the map but do not
    // tell the page, which would reload its list for a view it just chose.
    entry.load = function (byUser) {
      if (typeof entry.box !== "string") return;
      entry.userMoved = entry.userMoved || byUser;
      clearTimeout(entry.timer);
      entry.timer = setTimeout(function () {
        const b = map.getBounds();
        const seq = ++entry.seq;
        const url = "/api/venues/box?south=" + b.getSouth() + "&west=" + b.getWest() +
          "&north=" + b.getNorth() + "&east=" + b.getEast() + "&zoom=" + Math.round(map.getZoom()) +
          (entry.box ? "&" + entry.box : "");
        if (entry.userMoved && entry.onMove) entry.onMove(edges(b.getSouth(), b.getWest(), b.getNorth(), b.getEast()));
        entry.userMoved = false;
        fetch(url, { headers: { accept: "application/json" } })
          .then(function (res) { return res.ok ? res.text() : Promise.reject(new Error("status " + res.status)); })
          .then(function (json) { if (seq === entry.seq) setMarkers(id, json); })
          .catch(function (err) { console.warn("map: loading venues failed:", err); });
      }, 250);
    };
    // A resize (a phone turned, a window narrowed) moves the map too, but it
    // is not the person choosing another area: the list keeps its city.
    map.on("resize", function () { entry.resized = true; });
    map.on("moveend", function () { entry.load(!entry.quiet && !entry.resized); entry.resized = false; });
    maps.set(id, entry);
    el.dataset.mapId = String(id);
    return id;
  }

  // A bubble for a group of venues; a click zooms to the group.
  function cluster(entry, c) {
    const label = document.createElement("span");
    label.textContent = c.n >= 10000 ? Math.round(c.n / 1000) + "k" : String(c.n);
    const size = Math.round(30 + Math.min(26, Math.log10(c.n) * 7));
    const marker = L.marker([c.lat, c.lng], {
      icon: L.divIcon({ className: "venue-cluster", html: label, iconSize: [size, size] }),
      title: c.n + " places here: zoom in", keyboard: true,
    });
    // Enter on a focused cluster zooms in, as a click does.
    marker.on("keypress", function (e) { if (e.originalEvent.keyCode === 13) marker.fire("click"); });
    marker.on("click", function () {
      const map = entry.map;
      const zoom = map.getZoom();
      const bounds = L.latLngBounds([c.south, c.west], [c.north, c.east]);
      const target = Math.min(map.getBoundsZoom(bounds, false, L.point(40, 40)), 18);
      if (target > zoom) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 18 });
      else map.setView([c.lat, c.lng], Math.min(zoom + 2, 18));
    });
    return marker;
  }

  function setMarkers(id, json) {
    const entry = maps.get(id);
    if (!entry || entry.json === json) return; // unchanged
    entry.json = json;
    const hadFocus = !!entry.current && document.activeElement === entry.current;
    // A page's results are an array of markers; the box answers an object
    // with markers or clusters.
    const data = JSON.parse(json);
    const markers = Array.isArray(data) ? data : data.markers || [];
    entry.clusters.clearLayers();
    if (!Array.isArray(data)) for (const c of data.clusters || []) entry.clusters.addLayer(cluster(entry, c));
    // Update in place, keyed by venue: a refresh (the map moved, the results
    // changed) keeps the markers that stay, so a popup someone opened stays open.
    const keep = new Map();
    for (const m of markers) keep.set(m.slug, m);
    entry.layer.eachLayer(function (l) {
      const m = keep.get(l.options.slug);
      if (!m) { entry.layer.removeLayer(l); return; }
      l.setLatLng([m.lat, m.lng]).setIcon(icon(m)).setPopupContent(popup(m));
      keep.delete(m.slug);
    });
    keep.forEach(function (m) {
      L.marker([m.lat, m.lng], { icon: icon(m), title: VERDICTS[m.verdict] ? m.name + " (" + VERDICTS[m.verdict][1] + ")" : m.name, keyboard: true, riseOnHover: true, slug: m.slug })
        .bindPopup(popup(m))
        .addTo(entry.layer);
    });
    rove(entry, hadFocus);
    const container = entry.map.getContainer();
    container.dataset.markers = String(entry.layer.getLayers().length);
    container.dataset.clusters = String(entry.clusters.getLayers().length);
  }

  // The icons of a map's clusters and markers, as elements.
  function icons(entry) {
    const list = [];
    const add = function (l) { const el = l.getElement && l.getElement(); if (el) list.push({ el: el, at: l.getLatLng() }); };
    entry.clusters.eachLayer(add);
    entry.layer.eachLayer(add);
    return list;
  }

  // One tab stop for all of them: the current one (kept across refreshes
  // while it exists, else the westernmost) has tabindex 0, the others -1.
  // Leaflet resets tabindex when it redraws an icon, so this runs after
  // every change; if focus was on the map's icons, it stays on the new one.
  function rove(entry, hadFocus) {
    const list = icons(entry);
    const kept = list.find(function (i) { return i.el === entry.current; });
    const current = kept ? kept.el : list.length ? sorted(list, "x")[0].el : null;
    for (const i of list) i.el.tabIndex = i.el === current ? 0 : -1;
    entry.current = current;
    if (current && hadFocus && document.activeElement !== current) current.focus({ preventScroll: true });
  }

  function sorted(list, axis) {
    return list.slice().sort(function (a, b) {
      return axis === "x" ? a.at.lng - b.at.lng || b.at.lat - a.at.lat : b.at.lat - a.at.lat || a.at.lng - b.at.lng;
    });
  }

  function onKey(entry, e) {
    const target = e.target;
    if (!target.classList || !target.classList.contains("leaflet-marker-icon")) return;
    const step = { ArrowRight: ["x", 1], ArrowLeft: ["x", -1], ArrowDown: ["y", 1], ArrowUp: ["y", -1],
      Home: ["x", "first"], End: ["x", "last"] }[e.key];
    if (!step) return;
    const list = sorted(icons(entry), step[0]);
    if (!list.length) return;
    e.preventDefault();
    e.stopPropagation();
    const at = list.findIndex(function (i) { return i.el === target; });
    const n = list.length;
    const next = step[1] === "first" ? 0 : step[1] === "last" ? n - 1 : ((at < 0 ? 0 : at + step[1]) + n) % n;
    entry.current = list[next].el;
    for (const i of list) i.el.tabIndex = i.el === entry.current ? 0 : -1;
    entry.current.focus({ preventScroll: true });
  }

  // The visitor's position ("lat,lng", or "" for none) as a dot that is not a
  // control (the list and the legend say what it is).
  function here(id, latlng) {
    const entry = maps.get(id);
    if (!entry) return;
    if (entry.here) { entry.here.remove(); entry.here = null; }
    const p = String(latlng || "").split(",").map(Number);
    if (p.length !== 2 || !p.every(isFinite)) return;
    entry.here = L.circleMarker(p, { radius: 8, weight: 3, color: "#ffffff", fillColor: "#1a6dd6", fillOpacity: 1,
      interactive: false, className: "you-are-here" }).addTo(entry.map);
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
    entry.load(false);
  }

  // Shows the box `[south, west, north, east]` the page chose (not a move by
  // the person: the page is not told) and loads what is in it.
  function fitView(id, json) {
    const entry = maps.get(id);
    if (!entry) return;
    const v = JSON.parse(json);
    entry.quiet = true;
    try {
      entry.map.fitBounds([[v[0], v[1]], [v[2], v[3]]], { animate: false, maxZoom: 16 });
    } finally {
      entry.quiet = false;
    }
    entry.load(false);
  }

  // A new filter: the map reloads with it, and later pans and zooms too.
  function setBox(id, box) {
    const entry = maps.get(id);
    if (!entry || entry.box === box) return;
    entry.box = box;
    entry.load(false);
  }

  // Calls onMove(south, west, north, east) after the person pans or zooms.
  function onMove(id, callback) {
    const entry = maps.get(id);
    if (entry) entry.onMove = callback;
  }

  // "s,w,n,e" to five decimals (about a metre), as the page URL has it.
  function edges(s, w, n, e) {
    return [s, w, n, e].map(function (v) { return Number(v.toFixed(5)); }).join(",");
  }

  // The browser's position, asked for only now: ok("lat,lng", view of `km`
  // around it) or fail(reason).
  function locate(km, ok, fail) {
    if (!navigator.geolocation) { fail("unsupported"); return; }
    navigator.geolocation.getCurrentPosition(
      function (p) {
        const lat = p.coords.latitude, lng = p.coords.longitude;
        const dlat = km / 111.32, dlng = km / (111.32 * Math.max(Math.cos(lat * Math.PI / 180), 0.01));
        ok(Number(lat.toFixed(5)) + "," + Number(lng.toFixed(5)),
          edges(Math.max(lat - dlat, -90), Math.max(lng - dlng, -180), Math.min(lat + dlat, 90), Math.min(lng + dlng, 180)));
      },
      function (e) { fail(e.code === 1 ? "denied" : e.code === 3 ? "timeout" : "unavailable"); },
      { timeout: 10000, maximumAge: 60000 });
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

  window.PawsMap = { mount: mount, setMarkers: setMarkers, setBox: setBox, fit: fit, fitView: fitView,
    onMove: onMove, locate: locate, pick: pick, unmount: unmount, here: here };
})();

// === search ===
// The place field's suggestions follow what is typed: the places whose name
// starts with it, the most venues first (GET /api/venues/places). A plain
// script next to the map's, so the home page's WASM does not grow.
(function () {
  let timer = 0, seq = 0;
  document.addEventListener("input", function (e) {
    const input = e.target;
    if (!(input instanceof HTMLInputElement) || input.id !== "filter-city") return;
    const list = document.getElementById(input.getAttribute("list") || "");
    if (!list) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      const mine = ++seq;
      fetch("/api/venues/places?prefix=" + encodeURIComponent(input.value.trim()))
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (names) {
          if (mine !== seq || !Array.isArray(names)) return;
          list.replaceChildren.apply(list, names.map(function (name) {
            const option = document.createElement("option");
            option.value = name;
            return option;
          }));
        })
        .catch(function () {});
    }, 150);
  });
})();
