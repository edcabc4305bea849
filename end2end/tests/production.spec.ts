import { test, expect } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { waitForHydration, collectErrors } from "./helpers";

// The README's production section, done exactly as written: the release
// binary, the hash.txt beside it and the site folder copied to one place, the
// settings from .env.example with what a host changes, and the binary started
// bare — none of the LEPTOS_* variables cargo-leptos gives the other tests.
const ROOT = resolve(__dirname, "..", "..");

/** KEY=value lines as systemd's EnvironmentFile reads them (comments skipped). */
function envFile(path: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]] = m[2].trim();
  }
  return vars;
}

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
  });
}

let server: ChildProcess | undefined;
let dir = "";
let base = "";
let output = "";

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "paws-prod-"));
  cpSync(join(ROOT, "target/release/server"), join(dir, "server"));
  cpSync(join(ROOT, "target/release/hash.txt"), join(dir, "hash.txt"));
  cpSync(join(ROOT, "target/site"), join(dir, "site"), { recursive: true });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // A second instance of the site the other tests use: same database, same
  // public address and the same mail server (its mail worker may send their
  // mail), as several instances behind one address are run.
  const mail = Object.fromEntries(
    ["SMTP_HOST", "SMTP_PORT", "SMTP_TLS", "MAIL_FROM"].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])),
  );
  const env = {
    ...envFile(join(ROOT, ".env.example")),
    ...mail,
    DATABASE_URL: process.env.E2E_DATABASE_URL ?? "",
    PAWS_BIND: `127.0.0.1:${port}`,
    PUBLIC_URL: process.env.BASE_URL ?? "http://localhost:3000",
    LEPTOS_SITE_ROOT: join(dir, "site"),
    DATA_DIR: join(dir, "data"),
    PATH: process.env.PATH ?? "/usr/bin:/bin",
  };
  expect(env.DATABASE_URL, "E2E_DATABASE_URL comes from ./test").toBeTruthy();
  server = spawn(join(dir, "server"), [], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  server.stdout?.on("data", (d) => (output += d));
  server.stderr?.on("data", (d) => (output += d));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = await fetch(`${base}/healthz`).then((r) => r.ok).catch(() => false);
    if (up) break;
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`the bare binary did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

test.afterAll(async () => {
  server?.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

test("the binary started as the README says serves its stylesheet, WASM and chunks, and pages hydrate", async ({ browser }) => {
  const page = await (await browser.newContext({ baseURL: base })).newPage();
  const errors = collectErrors(page);
  const assets: { path: string; status: number; type: string }[] = [];
  page.on("response", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith("/pkg/")) assets.push({ path, status: r.status(), type: r.headers()["content-type"] ?? "" });
  });
  await page.goto("/venues/pawsome-bakery-berlin");
  await waitForHydration(page);
  await page.waitForLoadState("networkidle");

  const css = await page.$eval('link[rel="stylesheet"][href^="/pkg/"]', (l) => (l as HTMLLinkElement).href);
  expect(css, "the stylesheet's name carries its hash").toMatch(/\/pkg\/paws\.[\w-]+\.css$/);
  const stylesheet = await page.request.get(css);
  expect(stylesheet.status()).toBe(200);
  expect(stylesheet.headers()["content-type"]).toContain("text/css");
  // The page is styled: the stylesheet's rules reached the document.
  const rules = await page.evaluate(() => Array.from(document.styleSheets).reduce((n, s) => n + s.cssRules.length, 0));
  expect(rules).toBeGreaterThan(50);

  const wasm = assets.filter((a) => a.path.endsWith(".wasm"));
  expect(wasm.some((a) => /\/pkg\/paws\.[\w-]+\.wasm$/.test(a.path)), "the main module was fetched").toBe(true);
  expect(wasm.some((a) => /\/pkg\/chunk_\d+\.[\w-]+\.wasm$/.test(a.path)), "an island's chunk was fetched").toBe(true);
  for (const a of assets) {
    expect(a.status, `${a.path} answers`).toBe(200);
    if (a.path.endsWith(".wasm")) expect(a.type, a.path).toBe("application/wasm");
    if (a.path.endsWith(".js")) expect(a.type, a.path).toContain("javascript");
  }
  expect(errors).toEqual([]);
});
