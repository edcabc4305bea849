import { defineConfig } from "@playwright/test";

// cargo-leptos starts the server on 127.0.0.1:3000 before running these tests.
// Debian's Chromium is used; Playwright never downloads a browser here.

// Every browser of one worker comes from its own address, as people do: the
// server (started by ./test with TRUSTED_PROXIES=127.0.0.1 and
// CLIENT_IP_HEADER=x-forwarded-for) reads it from this header. Without it all
// specs shared 127.0.0.1 and its per-client limits (10 sign-in links in 15
// minutes) once the suite grew. Each worker process loads this file, so each
// gets its own (a restarted worker, a new one).
const workerAddress = `10.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 250)}`;

export default defineConfig({
  testDir: "./tests",
  globalSetup: "./global-setup.ts",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [["list"]],
  // map.spec.ts adds venues for a crowded map: it runs after the others, which
  // count the demo venues, have finished.
  projects: [
    { name: "main", testIgnore: /map\.spec\.ts/ },
    { name: "crowded", testMatch: /map\.spec\.ts/, dependencies: ["main"] },
  ],
  outputDir: "test-results",
  use: {
    baseURL: process.env.BASE_URL ?? "http://localhost:3000",
    trace: "retain-on-failure",
    extraHTTPHeaders: { "x-forwarded-for": workerAddress },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
      ],
    },
  },
});
