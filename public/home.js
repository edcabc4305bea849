// The home page's browser side (the page itself: app/src/venues/home.rs).
// Plain JavaScript rather than a Leptos island: the page then loads no WASM
// runtime at all, which keeps its first load on a phone small (BENCHMARKS.md
// §6). It only ever enhances what the server rendered: every change of what
// the list shows — a filter, a pan or zoom, "Near me", back and forward —
// becomes a URL, the page of that URL is fetched (what the server renders
// anyway, for readers from its page cache) and its results swapped in; "Show
// more" appends the next page's cards. Whatever goes wrong on the way falls
// back to loading the page normally. What a page shows travels in the
// `data-*` attributes of its `.directory`, which a fetched page brings too.
(function () {
  "use strict";
  // Kilometres around the visitor that "Near me" shows.
  const NEAR_KM = 1.5;
  // The URL's keys (paws_inside::venues::{filter,view}::keys).
  const CITY = "city", Q = "q", VIEW = "view", NEAR = "near", PAGE = "page";

  let root = null;
  let mapId = 0;
  let state = "";
  let latest = 0;
  // The path and query of the page shown.
  let shown = window.location.pathname + window.location.search;

  function pairs(query) {
    return Array.from(new URLSearchParams(query).entries());
  }

  // The page URL of the pairs, encoded as the server writes them (commas readable).
  function url(list) {
    const parts = list
      .filter(function (p) { return p[1] !== ""; })
      .map(function (p) { return encodeURIComponent(p[0]) + "=" + encodeURIComponent(p[1]).replace(/%2C/g, ","); });
    return parts.length ? "/?" + parts.join("&") : "/";
  }

  function without(list, keys) {
    return list.filter(function (p) { return keys.indexOf(p[0]) < 0; });
  }

  function map(fn) {
    if (!mapId) return;
    try { fn(window.PawsMap); } catch (err) { console.warn("map:", err); }
  }

  function show(d, moveMap) {
    map(function (m) {
      m.setBox(mapId, d.box || "");
      if (!moveMap) return;
      m.setMarkers(mapId, d.markers || "[]");
      m.fitView(mapId, d.view);
      m.here(mapId, d.here || "");
    });
  }

  // Selects and checkboxes apply at once; the search text waits for Enter.
  function changed(ev) {
    const target = ev.target;
    if (!target || target.type === "search") return;
    const form = target.closest && target.closest("form.filters");
    if (form && form.requestSubmit) form.requestSubmit();
  }

  // The filter form: its URL loaded in place. A new city or search moves the
  // map to its places (a search may name another city: "flat white berlin");
  // any other filter keeps the view (and the position, after "Near me").
  function submitted(ev) {
    const form = ev.target;
    if (!form.classList || !form.classList.contains("filters")) return;
    ev.preventDefault();
    const filter = Array.from(new FormData(form).entries()).map(function (p) { return [p[0], String(p[1]).trim()]; });
    const old = pairs(state);
    const value = function (list, key) {
      const p = list.find(function (q) { return q[0] === key && q[1] !== ""; });
      return p ? p[1].toLowerCase() : "";
    };
    const movedAway = value(filter, CITY) !== value(old, CITY) || value(filter, Q) !== value(old, Q);
    const carry = movedAway ? [NEAR] : [VIEW, NEAR];
    const kept = old.filter(function (p) { return carry.indexOf(p[0]) >= 0; });
    go(url(filter.concat(kept)), "results", true);
  }

  // The person moved the map: the list follows, for the view (the city
  // filter goes: the view is no longer the city's). Not a step back in history.
  function moved(view) {
    const city = document.getElementById("filter-city");
    if (city) city.value = "";
    go(url(without(pairs(state), [CITY, VIEW, PAGE]).concat([[VIEW, view]])), "moved", false);
  }

  // "Near me": asks for the position only now.
  function nearMe() {
    const status = root.querySelector(".near-status");
    status.textContent = "Finding where you are…";
    window.PawsMap.locate(NEAR_KM, function (near, view) {
      status.textContent = "Showing the places nearest to you first.";
      const kept = without(pairs(state), [CITY, VIEW, NEAR, PAGE]);
      go(url(kept.concat([[NEAR, near], [VIEW, view]])), "results", true);
    }, function (reason) {
      status.textContent = reason === "denied"
        ? "You did not share your position, so the map stays where it is. Type a city instead."
        : reason === "unsupported"
          ? "This browser cannot tell us where you are. Type a city instead."
          : "We could not find your position just now. Try again, or type a city.";
    });
  }

  // "Show more": the next page's cards are appended, the URL stays.
  function clicked(ev) {
    const link = ev.target.closest && ev.target.closest("a[data-more]");
    if (!link) return;
    ev.preventDefault();
    const href = link.getAttribute("href");
    fetchPage(href)
      .then(function (doc) { if (!append(doc)) throw new Error("no cards"); })
      .catch(function () { window.location.assign(href); });
  }

  function go(to, how, push) {
    if (push) history.pushState(null, "", to);
    else history.replaceState(null, "", to);
    shown = window.location.pathname + window.location.search;
    load(to, how);
  }

  function load(to, how) {
    const seq = ++latest;
    fetchPage(to)
      .then(function (doc) {
        if (seq !== latest) return;
        if (!swap(doc, how)) throw new Error("no results");
      })
      .catch(function () { if (seq === latest) window.location.assign(to); });
  }

  function fetchPage(to) {
    return fetch(to, { headers: { accept: "text/html" } }).then(function (res) {
      if (!res.ok) throw new Error("status " + res.status);
      return res.text();
    }).then(function (html) { return new DOMParser().parseFromString(html, "text/html"); });
  }

  // The new page's results (and, back and forward, its form) in place.
  function swap(doc, how) {
    const next = doc.querySelector("[data-directory]");
    const results = doc.querySelector("[data-results]");
    const here = root.querySelector("[data-results]");
    if (!next || !results || !here) return false;
    if (how === "history") {
      const form = doc.querySelector("form.filters");
      const old = root.querySelector("form.filters");
      if (!form || !old) return false;
      old.outerHTML = form.outerHTML;
    } else {
      // The place as the server resolved it ("paris" → "Paris").
      const city = doc.getElementById("filter-city");
      const input = document.getElementById("filter-city");
      if (city && input) input.value = city.getAttribute("value") || "";
    }
    here.innerHTML = results.innerHTML;
    for (const key of ["markers", "view", "state", "box", "here"]) root.dataset[key] = next.dataset[key] || "";
    state = next.dataset.state || "";
    show(next.dataset, how !== "moved");
    return true;
  }

  function append(doc) {
    const list = root.querySelector("[data-results] .venue-list");
    const more = root.querySelector("[data-results] p.more");
    const cards = doc.querySelector("[data-results] .venue-list");
    if (!list || !more || !cards) return false;
    list.insertAdjacentHTML("beforeend", cards.innerHTML);
    const next = doc.querySelector("[data-results] p.more");
    if (next) more.outerHTML = next.outerHTML;
    else more.remove();
    return true;
  }

  function start() {
    root = document.querySelector("[data-directory]");
    if (root) {
      state = root.dataset.state || "";
      const el = root.querySelector(".map");
      if (el && window.PawsMap) {
        try {
          mapId = window.PawsMap.mount(el, JSON.stringify({ interactive: true, box: root.dataset.box || "" }));
          window.PawsMap.onMove(mapId, moved);
        } catch (err) {
          console.warn("map: mount failed:", err);
        }
      }
      show(root.dataset, true);
      root.addEventListener("change", changed);
      root.addEventListener("submit", submitted);
      root.addEventListener("click", clicked);
      window.addEventListener("popstate", function () {
        // Back from "Skip map" (a #fragment) is the same page: nothing to load.
        const here = window.location.pathname + window.location.search;
        if (here === shown) return;
        shown = here;
        load(window.location.href, "history");
      });
      const near = root.querySelector("[data-near-me]");
      if (near && window.PawsMap) {
        near.addEventListener("click", nearMe);
        near.disabled = false;
      }
    }
    // What the WASM pages' last island does (browser tests wait for it).
    document.body.dataset.hydrated = "true";
  }

  // Deferred scripts run in order after parsing: Leaflet and map.js are in.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
