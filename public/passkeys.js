// Passkeys, the browser's half: asks the server for a ceremony's options,
// runs navigator.credentials.create/get and sends the answer back. The server
// keeps the challenge and decides everything; this file only carries bytes.
//
// Markup it looks for (rendered by the server, hidden until this runs):
//   [data-passkey="sign-in"]   a button: sign in with a passkey
//   [data-passkey="register"]  a button: add a passkey (a form field
//                              [data-passkey-name] beside it names it)
//   [data-passkey-status]      where messages go (role=alert)
//   input[autocomplete~="webauthn"]  offers passkeys in autofill, where the
//                              browser supports it (conditional mediation)
(() => {
  const supported = typeof window.PublicKeyCredential === "function" && !!navigator.credentials;
  if (!supported) return;

  // base64url <-> bytes, for browsers without the JSON helpers.
  const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const bytes = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const parseCreation = (o) =>
    PublicKeyCredential.parseCreationOptionsFromJSON
      ? PublicKeyCredential.parseCreationOptionsFromJSON(o)
      : { ...o, challenge: bytes(o.challenge), user: { ...o.user, id: bytes(o.user.id) },
          excludeCredentials: (o.excludeCredentials || []).map((c) => ({ ...c, id: bytes(c.id) })) };
  const parseRequest = (o) =>
    PublicKeyCredential.parseRequestOptionsFromJSON
      ? PublicKeyCredential.parseRequestOptionsFromJSON(o)
      : { ...o, challenge: bytes(o.challenge), allowCredentials: (o.allowCredentials || []).map((c) => ({ ...c, id: bytes(c.id) })) };
  const toJSON = (cred) => {
    if (typeof cred.toJSON === "function") return cred.toJSON();
    const r = cred.response;
    const response = { clientDataJSON: b64(r.clientDataJSON) };
    if (r.attestationObject) response.attestationObject = b64(r.attestationObject);
    if (r.authenticatorData) response.authenticatorData = b64(r.authenticatorData);
    if (r.signature) response.signature = b64(r.signature);
    if (r.userHandle) response.userHandle = b64(r.userHandle);
    return { id: cred.id, rawId: b64(cred.rawId), type: cred.type, response, clientExtensionResults: cred.getClientExtensionResults() };
  };

  const status = (text) => {
    const el = document.querySelector("[data-passkey-status]");
    if (el) { el.textContent = text; el.hidden = !text; }
  };
  class Refused extends Error {}
  async function post(url, body) {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), credentials: "same-origin" });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Refused(data.error || "Something went wrong on our side. Please try again.");
    return data;
  }
  // What a failed browser prompt means to the person.
  function explain(err, cancelled) {
    if (err instanceof Refused) return err.message;
    if (err.name === "NotAllowedError") return cancelled;
    if (err.name === "InvalidStateError") return "This device already holds a passkey for your account.";
    if (err.name === "AbortError") return "";
    return "This browser could not use a passkey here.";
  }

  let autofill = null; // the pending conditional request, aborted by a button press

  async function signIn(conditional) {
    if (!conditional && autofill) autofill.abort();
    const start = await post("/auth/passkey/sign-in/start", {});
    const controller = new AbortController();
    if (conditional) autofill = controller;
    const cred = await navigator.credentials.get({
      publicKey: parseRequest(start.options.publicKey),
      mediation: conditional ? "conditional" : "optional",
      signal: controller.signal,
    });
    // A page that asks again who you are says where to come back to.
    const back = document.querySelector("[data-passkey-next]");
    const next = new URLSearchParams(location.search).get("next") || (back ? back.dataset.passkeyNext : "");
    const done = await post("/auth/passkey/sign-in/finish", { ceremony: start.ceremony, credential: toJSON(cred), next });
    location.assign(done.next);
  }

  async function register(button) {
    const field = document.querySelector("[data-passkey-name]");
    const start = await post("/auth/passkey/register/start", { name: field ? field.value : "" });
    const cred = await navigator.credentials.create({ publicKey: parseCreation(start.options.publicKey) });
    const done = await post("/auth/passkey/register/finish", { ceremony: start.ceremony, credential: toJSON(cred) });
    location.assign(done.next);
  }

  function wire() {
    for (const el of document.querySelectorAll("[data-passkey]")) {
      if (el.dataset.wired) continue;
      el.dataset.wired = "1";
      el.hidden = false;
      el.addEventListener("click", async (event) => {
        event.preventDefault();
        status("");
        el.disabled = true;
        try {
          if (el.dataset.passkey === "register") await register(el);
          else await signIn(false);
        } catch (err) {
          status(explain(err, el.dataset.passkey === "register" ? "Cancelled: no passkey was added." : "Passkey sign-in was cancelled."));
        } finally {
          el.disabled = false;
        }
      });
    }
    const input = document.querySelector('input[autocomplete~="webauthn"]');
    if (input && !autofill && PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then((ok) => {
        if (!ok || autofill) return;
        // Whether autofill is waiting, for people's tools and the browser tests.
        document.body.dataset.passkeyAutofill = "waiting";
        signIn(true).catch((err) => {
          document.body.dataset.passkeyAutofill = "ended";
          const m = explain(err, "");
          if (m) status(m);
        });
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();
