import { test, expect } from "@playwright/test";
import { request as httpRequest } from "node:http";
import { waitForHydration } from "./helpers";

// The first-load budget of the home page on a phone (BENCHMARKS.md §6): the
// HTML and every asset a first visit loads — CSS, JS, any WASM, Leaflet, the
// map and home scripts — counted as bytes on the wire with `accept-encoding:
// br`, as a browser asks. Deterministic: same build, same demo data, same
// bytes; so it is a test, unlike the timings in `bench/`.
const BUDGET = 150 * 1024;

/** Bytes the server sends for `url` to a browser that accepts brotli. */
function onTheWire(url: string): Promise<{ bytes: number; encoding: string; status: number }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { "accept-encoding": "br, gzip" } }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => (bytes += chunk.length));
      res.on("end", () =>
        resolve({ bytes, encoding: String(res.headers["content-encoding"] ?? "identity"), status: res.statusCode ?? 0 }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

test("the home page's first load on a phone stays within 150 KB (brotli, as served)", async ({ page, baseURL }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const origin = new URL(baseURL!).origin;
  const assets = new Set<string>();
  page.on("request", (r) => {
    const url = new URL(r.url());
    // Server functions and map tiles are data, not the page's code.
    if (url.origin === origin && !url.pathname.startsWith("/api/") && /\.(css|js|wasm)$/.test(url.pathname)) {
      assets.add(url.pathname);
    }
  });
  await page.goto("/");
  await waitForHydration(page);
  await page.waitForLoadState("networkidle");

  const paths = ["/", ...[...assets].sort()];
  const rows: string[] = [];
  let total = 0;
  for (const path of paths) {
    const { bytes, encoding, status } = await onTheWire(origin + path);
    expect(status, path).toBe(200);
    // Everything on the first load is text or WASM: all of it must come compressed.
    expect(encoding, `${path} is served compressed`).toBe("br");
    total += bytes;
    rows.push(`${(bytes / 1024).toFixed(1).padStart(7)} KB  ${path}`);
  }
  console.log([...rows, `${(total / 1024).toFixed(1).padStart(7)} KB  total (budget ${BUDGET / 1024} KB)`].join("\n"));
  // The list must hold what the test means to count: the page, its styles, the
  // map library and the scripts that drive the page. The home page has no
  // island: no WASM (venues/home.rs), so none may sneak back in unnoticed.
  expect(paths.some((p) => p.includes("leaflet"))).toBe(true);
  expect(paths).toContain("/home.js");
  expect(paths.some((p) => p.endsWith(".css") && p.includes("/pkg/"))).toBe(true);
  expect(paths.filter((p) => p.endsWith(".wasm"))).toEqual([]);
  expect(total).toBeLessThanOrEqual(BUDGET);
});

// A page with a lazy island names the island's WASM chunks in its head, so the
// browser fetches them with the page instead of after the main module has run
// (app/src/preload.rs); each chunk is then fetched once, the preload reused.
test("a venue page preloads its photo island's chunks and fetches each once", async ({ page }) => {
  const fetched: string[] = [];
  page.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (/\/chunk_[^/]*\.wasm$|\/split_[^/]*\.wasm$/.test(path)) fetched.push(path);
  });
  await page.goto("/venues/pawsome-bakery-berlin");
  await waitForHydration(page);
  await page.waitForLoadState("networkidle");

  const preloaded = await page.$$eval('head link[rel="preload"][as="fetch"]', (links) =>
    links.map((l) => new URL((l as HTMLLinkElement).href).pathname),
  );
  const chunks = preloaded.filter((p) => /\/(chunk|split)_[^/]*\.wasm$/.test(p));
  expect(chunks.length, "the island's chunks are preloaded").toBeGreaterThan(1);
  expect(new Set(chunks).size, "each preloaded once").toBe(chunks.length);
  expect(fetched.length, "the island loaded its chunks").toBeGreaterThan(0);
  expect(new Set(fetched).size, "no chunk fetched twice").toBe(fetched.length);
  for (const path of fetched) expect(chunks, `${path} was preloaded`).toContain(path);
});
