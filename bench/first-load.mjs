// Bytes on the wire for a first visit to the home page: the HTML and every
// asset it loads (CSS, JS, WASM, Leaflet, the map script), asking for brotli
// exactly as a browser does. Usage: node bench/first-load.mjs http://127.0.0.1:3100
const base = process.argv[2];
const budget = Number(process.argv[3] ?? 200 * 1024);

async function size(path) {
  const res = await fetch(new URL(path, base), { headers: { "accept-encoding": "br, gzip" } });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  // fetch decodes; the wire size is the compressed length the server sent.
  const wire = Number(res.headers.get("content-length") ?? 0) || (await compressedLength(path));
  return { path, encoding: res.headers.get("content-encoding") ?? "identity", wire, raw: body.length };
}

async function compressedLength(path) {
  const { request } = await import("node:http");
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { headers: { "accept-encoding": "br, gzip" } }, (res) => {
      let n = 0;
      res.on("data", (c) => (n += c.length));
      res.on("end", () => resolve(n));
    });
    req.on("error", reject);
    req.end();
  });
}

// What a first visit loads: open the page in Chromium, let it hydrate, and
// list every same-origin request (the HTML's own links, the modules the JS
// imports, the WASM chunks it fetches). Data requests (server functions) and
// map tiles are not assets and are left out.
const { chromium } = await import("playwright");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
const seen = new Set();
page.on("request", (r) => {
  const url = new URL(r.url());
  if (url.origin === new URL(base).origin && !url.pathname.startsWith("/api/")) seen.add(url.pathname);
});
await page.goto(base + "/");
await page.waitForSelector("body[data-hydrated=true]", { timeout: 30_000 });
await page.waitForLoadState("networkidle");
await browser.close();
const paths = ["/", ...[...seen].filter((p) => p !== "/" && /\.(css|js|wasm)$/.test(p))];
const rows = [];
for (const p of paths) rows.push(await size(p));
const total = rows.reduce((a, r) => a + r.wire, 0);
console.log("| file | encoding | on the wire | uncompressed |");
console.log("| --- | --- | ---: | ---: |");
for (const r of rows) console.log(`| ${r.path} | ${r.encoding} | ${(r.wire / 1024).toFixed(1)} KB | ${(r.raw / 1024).toFixed(1)} KB |`);
console.log(`| **total** | | **${(total / 1024).toFixed(1)} KB** | |`);
console.log();
console.log(`Budget ${(budget / 1024).toFixed(0)} KB: ${total <= budget ? "within" : "OVER"} (${((100 * total) / budget).toFixed(0)} %).`);
