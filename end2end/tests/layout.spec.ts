import { test, expect, type Page } from "@playwright/test";
import { addDog, expectAccessible, screenshot, waitForHydration, WIDTHS } from "./helpers";

// Phone-first layout (issue #27): one-row header, search at the top, DOM order
// = visual order (few tab stops before the search, the map's places one stop
// with arrow keys), the guest state in the header, "Near me" distances.

/** What has focus, as `tag#id.class:text`. */
async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    if (!a) return "";
    return `${a.tagName.toLowerCase()}#${a.id}.${a.className}:${(a.textContent ?? "").trim().slice(0, 30)}`;
  });
}

for (const vp of WIDTHS) {
  test(`home at ${vp.width} px: one-row header, search in sight, Tab reaches it in five`, async ({ page, context }) => {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await page.goto("/");
    await waitForHydration(page);
    await expect(page.locator(".map .venue-marker").first()).toBeVisible();

    // The header is one row: everything in it shares one line.
    const header = (await page.locator(".site-header").boundingBox())!;
    expect(header.height).toBeLessThanOrEqual(72);
    for (const part of [".site-header .brand", ".site-header .menu summary", ".site-header .user-badge"]) {
      const box = (await page.locator(part).boundingBox())!;
      expect(box.y, part).toBeGreaterThanOrEqual(header.y);
      expect(box.y + box.height, part).toBeLessThanOrEqual(header.y + header.height);
      expect(box.x + box.width, `${part} fits the width`).toBeLessThanOrEqual(vp.width);
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    // The search field is in sight without scrolling, above the map and the list.
    const search = (await page.getByLabel("Search").boundingBox())!;
    expect(search.y + search.height).toBeLessThanOrEqual(vp.height);
    const map = (await page.locator(".map").boundingBox())!;
    const list = (await page.locator("#results-heading").boundingBox())!;
    expect(search.y).toBeLessThan(map.y);
    if (vp.width < 800) expect(map.y).toBeLessThan(list.y);
    else expect(map.x).toBeLessThan(list.x);

    // From the top of the page, Tab reaches the search field in at most five presses.
    await page.locator("body").focus();
    let presses = 0;
    while (presses < 5 && !(await focused(page)).startsWith("input#filter-q")) {
      await page.keyboard.press("Tab");
      presses++;
    }
    expect(await focused(page)).toMatch(/^input#filter-q/);
    expect(presses).toBeLessThanOrEqual(5);

    await page.locator("body").focus();
    await screenshot(page, `home-${vp.width}`);
    await expectAccessible(page);
    expect(await context.cookies()).toEqual([]);
  });
}

test("the map's places are one tab stop; the arrow keys move between them", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto("/?city=Vienna");
  await waitForHydration(page);
  const markers = page.locator(".map .leaflet-marker-icon");
  await expect(markers).toHaveCount(12);
  await expect(page.locator('.map .leaflet-marker-icon[tabindex="0"]')).toHaveCount(1);
  await expect(page.locator('.map .leaflet-marker-icon[tabindex="-1"]')).toHaveCount(11);

  // "Skip map" is the stop before the map, and it leads to the list.
  await page.getByLabel("Search").focus();
  let presses = 0;
  while (presses < 20 && !(await focused(page)).includes("skip-map")) {
    await page.keyboard.press("Tab");
    presses++;
  }
  await expect(page.getByRole("link", { name: "Skip map" })).toBeVisible();
  // Then the map itself (Leaflet pans it with the arrows), then its places.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  const first = await focused(page);
  expect(first).toContain("venue-marker");
  const names = new Set<string>();
  const title = () => page.evaluate(() => document.activeElement?.getAttribute("title") ?? "");
  names.add(await title());
  for (const key of ["ArrowRight", "ArrowRight", "ArrowDown", "ArrowLeft"]) {
    await page.keyboard.press(key);
    expect(await focused(page)).toContain("venue-marker");
    names.add(await title());
  }
  expect(names.size).toBeGreaterThan(2);
  // Still one stop: the one in focus has tabindex 0, and Tab leaves the places.
  await expect(page.locator('.map .leaflet-marker-icon[tabindex="0"]')).toHaveCount(1);
  expect(await page.evaluate(() => document.activeElement?.getAttribute("tabindex"))).toBe("0");
  await page.keyboard.press("Tab");
  expect(await focused(page)).not.toContain("venue-marker");
  // Enter on a place opens its popup.
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Enter");
  await expect(page.locator(".leaflet-popup .map-popup a")).toBeVisible();

  // "Skip map" jumps to the list.
  await page.getByRole("link", { name: "Skip map" }).focus();
  await page.keyboard.press("Enter");
  expect(await focused(page)).toMatch(/^h2#results-heading/);
});

test("the menu opens without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Suggest a place" })).toBeHidden();
  await page.getByText("Menu", { exact: true }).click();
  await page.getByRole("link", { name: "Suggest a place" }).click();
  await expect(page).toHaveURL(/\/suggest$/);
  await context.close();
});

test("after adding a dog the header shows the guest state, to this browser only", async ({ page, browser }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await addDog(page, "Bentley");
  await page.goto("/");
  const badge = page.getByTestId("guest-badge");
  await expect(badge).toHaveText("Your dogs: 1 · Keep them");
  await expect(badge).toHaveAttribute("href", /^\/sign-in/);
  const header = (await page.locator(".site-header").boundingBox())!;
  expect(header.height).toBeLessThanOrEqual(72);
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await screenshot(page, "home-390-guest");

  // Another browser, right after (inside the page cache's lifetime), is a reader.
  const other = await browser.newContext();
  const reader = await other.newPage();
  for (const path of ["/", "/", "/venues/pawsome-bakery-berlin"]) {
    const res = await reader.goto(path);
    const html = (await res!.text()) ?? "";
    expect(html).not.toContain("Your dogs");
    await expect(reader.getByRole("link", { name: "Sign in", exact: true })).toBeVisible();
  }
  await other.close();

  await badge.click();
  await expect(page).toHaveURL(/\/sign-in/);
});

test("near me shows distances on the cards, a you-are-here dot and the legend", async ({ browser }) => {
  const context = await browser.newContext({
    geolocation: { latitude: 48.2082, longitude: 16.3738 },
    permissions: ["geolocation"],
    viewport: { width: 390, height: 844 },
  });
  const page = await context.newPage();
  await page.goto("/");
  await waitForHydration(page);
  await expect(page.locator(".venue-distance")).toHaveCount(0);
  await page.getByRole("button", { name: "Near me" }).click();
  await expect(page).toHaveURL(/near=48\.2082,16\.3738/);
  await expect(page.locator(".venue-distance").first()).toHaveText(/^\d+(\.\d)? (m|km) away$/);
  await expect(page.locator(".map .you-are-here")).toHaveCount(1);
  const legend = page.getByRole("list", { name: "What the map shows" });
  await expect(legend).toContainText("Group of places");
  await expect(legend).toContainText("You");
  // The server renders the same distances for the URL.
  await page.goto(page.url());
  await expect(page.locator(".venue-distance").first()).toHaveText(/away$/);
  await context.close();
});

test("back and forward bring the form and the list back, without a reload", async ({ page }) => {
  await page.goto("/");
  await waitForHydration(page);
  await page.evaluate(() => ((window as any).__noReload = true));
  await page.getByLabel("Kind of place").selectOption("bakery");
  await expect(page).toHaveURL(/category=bakery/);
  await expect(page.locator(".venue-card")).not.toHaveCount(20);
  const bakeries = await page.locator(".venue-card").count();
  await page.goBack();
  await expect(page).not.toHaveURL(/category=/);
  await expect(page.locator(".venue-card")).toHaveCount(20);
  await expect(page.getByLabel("Kind of place")).toHaveValue("");
  await page.goForward();
  await expect(page.locator(".venue-card")).toHaveCount(bakeries);
  await expect(page.getByLabel("Kind of place")).toHaveValue("bakery");
  // "Skip map" is a #fragment: back from it stays on the page as it is.
  await page.getByRole("link", { name: "Skip map" }).focus();
  await page.keyboard.press("Enter");
  await page.goBack();
  await expect(page.locator(".venue-card")).toHaveCount(bakeries);
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
});
