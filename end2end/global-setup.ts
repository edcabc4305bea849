// Waits until the server answers /healthz: cargo-leptos starts it just before
// the tests, and the first start also runs migrations and the demo seed.
export default async function globalSetup() {
  const base = process.env.BASE_URL ?? "http://localhost:3000";
  const deadline = Date.now() + 120_000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`server at ${base} did not become healthy: ${last}`);
}
