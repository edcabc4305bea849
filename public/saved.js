// The Save buttons' browser side (app/src/saved/control.rs). The pages that
// carry them may come from the shared page cache, so they never say whether
// this visitor saved a place: this asks /api/saved/state (per session, never
// cached) and marks the buttons, and sends a Save or Remove in place. Without
// it the button is a plain form that posts and lands on /saved.
(function () {
  "use strict";
  // The key the islands use for this browser's guest (app/src/auth/client.rs).
  const MINT_KEY = "paws.mint-key";

  function mintKey() {
    try {
      let key = window.localStorage.getItem(MINT_KEY);
      if (!key && window.crypto && window.crypto.randomUUID) {
        key = window.crypto.randomUUID();
        window.localStorage.setItem(MINT_KEY, key);
      }
      return key || "";
    } catch (err) {
      return "";
    }
  }

  function mark(form, saved) {
    form.dataset.saved = saved ? "true" : "false";
    const button = form.querySelector("button");
    if (button) button.setAttribute("aria-pressed", saved ? "true" : "false");
  }

  // Asks once for every form not asked about yet (the home page swaps its
  // results in: new cards come without a state).
  function check() {
    const forms = Array.from(document.querySelectorAll("form.save-form[data-save]:not([data-saved])"));
    if (!forms.length) return;
    forms.forEach(function (f) { mark(f, false); });
    const slugs = forms.map(function (f) { return f.dataset.save; }).slice(0, 100);
    fetch("/api/saved/state?slugs=" + encodeURIComponent(slugs.join(",")), {
      credentials: "same-origin",
      headers: { accept: "application/json" },
    })
      .then(function (res) { return res.ok ? res.json() : { saved: [] }; })
      .then(function (body) {
        const saved = body.saved || [];
        forms.forEach(function (f) { mark(f, saved.indexOf(f.dataset.save) >= 0); });
      })
      .catch(function () {});
  }

  function say(form, text) {
    const status = form.querySelector(".save-status");
    if (status) status.textContent = text;
  }

  document.addEventListener("submit", function (ev) {
    const form = ev.target;
    if (!form || !form.matches || !form.matches("form.save-form[data-save]")) return;
    ev.preventDefault();
    const saved = form.dataset.saved === "true";
    const body = new URLSearchParams();
    body.set("slug", form.dataset.save);
    body.set("mint_key", mintKey());
    fetch(saved ? "/saved/remove" : "/saved/save", {
      method: "POST",
      credentials: "same-origin",
      headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    })
      .then(function (res) {
        return res.json().then(function (answer) {
          if (res.ok) {
            // Every button for this place on the page (a card and a heading).
            document.querySelectorAll("form.save-form[data-save]").forEach(function (f) {
              if (f.dataset.save === form.dataset.save) mark(f, answer.saved);
            });
            say(form, answer.saved ? "Saved to your list." : "Removed from your list.");
          } else {
            say(form, answer.error || "That did not work. Please try again.");
          }
        });
      })
      .catch(function () { form.submit(); });
  });

  function start() {
    check();
    new MutationObserver(check).observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
