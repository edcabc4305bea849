import { test, expect } from "@playwright/test";
import { waitForHydration } from "./helpers";

// Every page runs under the Content-Security-Policy: hydration, the map and the
// forms must work without one violation.
const PAGES = ["/", "/?city=Berlin", "/venues/pawsome-bakery-berlin", "/dogs", "/dogs/new", "/suggest", "/sign-in", "/sign-up", "/account", "/admin", "/no-such-page"];

test("no Content-Security-Policy violations on any page", async ({ page }) => {
  const violations: string[] = [];
  await page.exposeFunction("reportCsp", (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      (window as unknown as { reportCsp: (v: string) => void }).reportCsp(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  page.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) violations.push(m.text());
  });
  for (const path of PAGES) {
    const res = await page.goto(path);
    // The raw headers: `headers()` can miss some in Chromium (playwright#6690).
    const csp = (await res?.allHeaders())?.["content-security-policy"] ?? "";
    expect(csp, `${path} has a CSP with a nonce`).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=_-]+' 'wasm-unsafe-eval'/);
    expect(csp).toContain("frame-ancestors 'none'");
    await waitForHydration(page);
  }
  // The map and a client-side navigation after hydration.
  await page.goto("/");
  await waitForHydration(page);
  await expect(page.locator(".leaflet-marker-icon").first()).toBeVisible();
  await page.getByText("Menu", { exact: true }).click();
  await page.getByRole("link", { name: "Suggest a place" }).click();
  await expect(page).toHaveURL(/\/suggest$/);
  await page.getByRole("region", { name: "Pick the place on the map" }).click({ position: { x: 100, y: 80 } });
  expect(violations).toEqual([]);
});
