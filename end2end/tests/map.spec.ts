import { test, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { expectAccessible, screenshot, waitForHydration } from "./helpers";

// 600 extra venues around Lisbon (the demo has none there), so a view holds
// more than the map draws as markers. Removed again afterwards.
function sql(statement: string) {
  const db = process.env.E2E_DATABASE_URL ?? "";
  expect(db, "E2E_DATABASE_URL comes from ./test").toBeTruthy();
  execFileSync("psql", [db, "-qc", statement]);
}

test.describe.configure({ mode: "serial" });

test.beforeAll(() => {
  sql(`INSERT INTO venues (slug, name, category, address, city, location, dogs_inside, size_limit)
       SELECT 'e2e-crowd-' || i, 'Crowd Café ' || i, 'cafe', 'Rua ' || i, 'Lisbon',
              point(-9.6 + (i * 7919 % 600) / 500.0, 38.4 + (i * 104729 % 600) / 600.0), 'yes', 'any'
       FROM generate_series(1, 600) i ON CONFLICT (slug) DO NOTHING`);
});

test.afterAll(() => {
  sql("DELETE FROM venues WHERE slug LIKE 'e2e-crowd-%'");
});

function viewOf(url: string): number[] {
  const view = new URL(url).searchParams.get("view");
  expect(view).toBeTruthy();
  return view!.split(",").map(Number);
}

test("a crowded view is drawn as clusters, and a cluster click zooms in", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto("/?city=Lisbon");
  await waitForHydration(page);
  await expect(page.locator(".results-count")).toHaveText("600 places in view");
  const clusters = page.locator(".map .venue-cluster");
  await expect(clusters.first()).toBeVisible();
  await expect(page.locator(".map .venue-marker")).toHaveCount(0);
  const counts = (await clusters.allTextContents()).map(Number);
  expect(counts.reduce((a, b) => a + b, 0)).toBe(600);
  // Each number sits in the middle of its bubble (Leaflet's CSS must not undo ours).
  for (const offset of await clusters.evaluateAll((els) =>
    els.map((el) => {
      const b = el.getBoundingClientRect();
      const t = el.querySelector("span")!.getBoundingClientRect();
      return Math.max(
        Math.abs(b.left + b.width / 2 - (t.left + t.width / 2)),
        Math.abs(b.top + b.height / 2 - (t.top + t.height / 2)),
      );
    }),
  )) {
    expect(offset).toBeLessThanOrEqual(2);
  }
  // One tab stop for all the clusters.
  await expect(page.locator('.map .venue-cluster[tabindex="0"]')).toHaveCount(1);
  await screenshot(page, "map-clusters-desktop");

  // Clicking the biggest cluster zooms to it: the view (and the list) shrink.
  const biggest = counts.indexOf(Math.max(...counts));
  const [s0, w0, n0, e0] = JSON.parse((await page.locator("[data-directory]").getAttribute("data-view"))!);
  await clusters.nth(biggest).click();
  await expect(page).toHaveURL(/[?&]view=/);
  const [s, w, n, e] = viewOf(page.url());
  await expect(page.locator(".results-count")).not.toHaveText("600 places in view");
  expect((n - s) * (e - w)).toBeLessThan(0.75 * (n0 - s0) * (e0 - w0));
  // One cluster's few venues are markers again.
  await expect(page.locator(".map .venue-marker").first()).toBeVisible();
  await expect(page.locator(".map .venue-cluster")).toHaveCount(0);
  await expectAccessible(page);
});

test("on a phone the map follows the search, with clusters", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/?city=Lisbon");
  await waitForHydration(page);
  await expect(page.locator(".map .venue-cluster").first()).toBeVisible();
  const map = (await page.locator(".map").boundingBox())!;
  const search = (await page.getByLabel("Search").boundingBox())!;
  expect(search.y).toBeLessThan(map.y);
  expect(map.y).toBeLessThan(844);
  await screenshot(page, "map-clusters-phone");
  await expectAccessible(page);
});
