import { test, expect } from "@playwright/test";
import {
  collectErrors,
  expectAccessible,
  expectNoCookies,
  screenshot,
  waitForHydration,
} from "./helpers";

const VENUE = "/venues/pawsome-bakery-berlin";

test("home lists venues and sets no cookie", async ({ page, context }) => {
  const errors = collectErrors(page);
  const res = await page.goto("/");
  expect(res?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("dog can come inside");
  // One page of the places in view, nearest the middle first, and the true total.
  await expect(page.locator(".venue-card")).toHaveCount(20);
  await expect(page.locator(".results-count")).toHaveText(/^\d[\d\u00a0]* places in view/);
  await waitForHydration(page);
  await expectNoCookies(context);
  expect(errors).toEqual([]);
});

test("a filter changes the URL and the results without a reload", async ({ page, context }) => {
  await page.goto("/");
  await waitForHydration(page);
  const total = await page.locator(".venue-card").count();
  // A marker on window survives client-side navigation but not a reload.
  await page.evaluate(() => ((window as any).__noReload = true));

  // A place typed in any case moves the list (and the map) there.
  await page.getByLabel("City").fill("paris");
  await page.getByLabel("City").press("Enter");
  await expect(page).toHaveURL(/[?&]city=paris/);
  await expect(page.locator(".venue-card")).toHaveCount(12);
  await expect(page.getByLabel("City")).toHaveValue("Paris");
  await expect(page.locator(".venue-address").first()).toContainText("Paris");

  await page.getByLabel("Kind of place").selectOption("bakery");
  await expect(page).toHaveURL(/category=bakery/);
  await expect(page.locator(".venue-card")).toHaveCount(2);
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);

  // The filtered URL renders the same results on the server.
  const fresh = await context.newPage();
  await fresh.goto(page.url());
  await expect(fresh.locator(".venue-card")).toHaveCount(2);
  expect(total).toBeGreaterThan(1);
  await expectNoCookies(context);
});

test("text search works before hydration too", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/");
  await page.getByLabel("Search").fill("Wet Nose");
  await page.getByRole("button", { name: "Show places" }).click();
  await expect(page).toHaveURL(/q=Wet\+Nose|q=Wet%20Nose/);
  await expect(page.locator(".venue-card")).toHaveCount(6);
  await expectNoCookies(context);
  await context.close();
});

test("the map shows markers and a marker leads to its venue", async ({ page, context }) => {
  const errors = collectErrors(page);
  await page.goto("/?city=Vienna");
  await waitForHydration(page);
  const markers = page.locator(".map .venue-marker");
  await expect(markers).toHaveCount(12);
  // Tiles cannot load here (the tile server is unreachable); markers still work.
  await markers.first().click();
  const link = page.locator(".leaflet-popup .map-popup a");
  await expect(link).toBeVisible();
  const name = (await link.textContent())!.trim();
  await link.click();
  await expect(page).toHaveURL(/\/venues\/[a-z0-9-]+$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
  await expectNoCookies(context);
  expect(errors).toEqual([]);
});

test("the list follows the map when it is moved", async ({ page }) => {
  await page.goto("/?city=London");
  await waitForHydration(page);
  await expect(page.locator(".map .venue-marker")).toHaveCount(12);
  await expect(page.locator(".results-count")).toHaveText("12 places in view");
  await page.evaluate(() => ((window as any).__noReload = true));
  // Zoom out until Paris is in view too: the list and the URL follow the map.
  // Each zoom waits for its map answer, so no click lands mid-animation.
  const heading = page.locator(".results-count");
  for (let i = 0; i < 12 && (await heading.textContent()) === "12 places in view"; i++) {
    const answer = page.waitForResponse((r) => r.url().includes("/api/venues/box"));
    await page.locator(".leaflet-control-zoom-out").click();
    await answer;
    await page.waitForTimeout(300);
  }
  await expect(page).toHaveURL(/[?&]view=/);
  await expect(page).not.toHaveURL(/city=/);
  await expect(page.locator(".results-count")).not.toHaveText("12 places in view");
  await expect(page.locator(".venue-address", { hasText: "Paris" }).first()).toBeVisible();
  await expect(page.getByLabel("City")).toHaveValue("");
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
  // The URL renders the same list on the server.
  const url = page.url();
  const first = await page.locator(".venue-card h3").first().textContent();
  await page.goto(url);
  await expect(page.locator(".venue-card h3").first()).toHaveText(first!);
});

test("show more adds the next places, with and without JavaScript", async ({ page, browser }) => {
  await page.goto("/");
  await waitForHydration(page);
  await page.evaluate(() => ((window as any).__noReload = true));
  const url = page.url();
  await page.getByRole("link", { name: "Show more" }).click();
  await expect(page.locator(".venue-card")).toHaveCount(40);
  expect(page.url()).toBe(url);
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
  const links = () => page.locator(".venue-card h3 a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  const names = await links();
  expect(new Set(names).size).toBe(40);

  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await plain.goto("/");
  await plain.getByRole("link", { name: "Show more" }).click();
  await expect(plain).toHaveURL(/page=2/);
  await expect(plain.locator(".venue-card")).toHaveCount(20);
  const plainLinks = await plain.locator(".venue-card h3 a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  expect(plainLinks).toEqual(names.slice(20));
  await context.close();
});

test("near me sorts by distance from the visitor, and a refusal keeps the page working", async ({ browser }) => {
  // In Vienna, next to one of its venues.
  const context = await browser.newContext({
    geolocation: { latitude: 48.2082, longitude: 16.3738 },
    permissions: ["geolocation"],
  });
  const page = await context.newPage();
  await page.goto("/");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Near me" }).click();
  await expect(page.locator(".near-status")).toHaveText("Showing the places nearest to you first.");
  await expect(page).toHaveURL(/near=48\.2082,16\.3738/);
  await expect(page.locator(".venue-address").first()).toContainText("Vienna");
  await expect(page.locator(".map .venue-marker").first()).toBeVisible();
  await context.close();

  const refused = await browser.newContext({ permissions: [] });
  const other = await refused.newPage();
  await other.goto("/");
  await waitForHydration(other);
  await other.getByRole("button", { name: "Near me" }).click();
  await expect(other.locator(".near-status")).toContainText("did not share your position");
  await expect(other.locator(".venue-card")).toHaveCount(20);
  await expect(other).not.toHaveURL(/near=/);
  await refused.close();
});

test("a venue page renders without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const res = await page.goto(VENUE);
  expect(res?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Pawsome Bakery");
  await expect(page.getByText("Dog policy")).toBeVisible();
  await expect(page.locator(".facts")).toContainText("Dog size");
  await expectNoCookies(context);
  await context.close();
});

test("an unknown venue shows the 404 page with status 404", async ({ page, context }) => {
  const res = await page.goto("/venues/no-such-place");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("sniffed everywhere");
  const other = await page.goto("/this/does/not/exist");
  expect(other?.status()).toBe(404);
  await expectNoCookies(context);
});

for (const path of ["/", "/?city=Berlin&water=1", VENUE, "/venues/no-such-place"]) {
  test(`no serious accessibility violations on ${path}`, async ({ page, context }) => {
    await page.goto(path);
    await waitForHydration(page);
    await expectAccessible(page);
    await expectNoCookies(context);
  });
}

const viewports = [
  { name: "desktop", width: 1280, height: 860 },
  { name: "phone", width: 375, height: 740 },
];
for (const vp of viewports) {
  test(`screenshots at ${vp.name} width`, async ({ page, context }) => {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await page.goto("/");
    await waitForHydration(page);
    await expect(page.locator(".map .venue-marker").first()).toBeVisible();
    // Nothing may overflow sideways on a phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // The search is in sight without scrolling, and the map starts in sight
    // below it (layout.spec.ts checks the order and the tab stops).
    const map = (await page.locator(".map").boundingBox())!;
    const search = (await page.getByLabel("Search").boundingBox())!;
    expect(search.y + search.height).toBeLessThanOrEqual(vp.height);
    expect(search.y).toBeLessThan(map.y);
    expect(map.y).toBeLessThan(vp.height);
    await screenshot(page, `home-${vp.name}`);
    await page.goto(VENUE);
    await waitForHydration(page);
    await screenshot(page, `venue-${vp.name}`);
    await expectNoCookies(context);
  });
}
