import { test, expect, type Page } from "@playwright/test";
import { waitForHydration, screenshot, expectAccessible, collectErrors } from "./helpers";

// Demo venues carry real opening_hours values from OpenStreetMap's Helsinki
// data (src/venues/seed.rs): Bentley's is "24/7", so "open now" holds at any
// time of day; The Wet Nose is "Mo-Fr 09:00-19:00; Sa 09:00-18:00".
const ALWAYS_OPEN = "/venues/bentley-s-flat-white-berlin";
const WEEKDAYS = "/venues/the-wet-nose-berlin";

/** The line shown (the page holds the week's lines, all but one hidden). */
const openNow = (page: Page) => page.getByTestId("open-now").locator("span:not([hidden])");

for (const vp of [
  { name: "390", width: 390, height: 844 },
  { name: "1280", width: 1280, height: 860 },
]) {
  test(`a venue shows open now, the week, directions, phone and website at ${vp.name} px`, async ({ page }) => {
    const errors = collectErrors(page);
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await page.goto(ALWAYS_OPEN);
    await waitForHydration(page);
    const door = page.getByTestId("at-the-door");
    await expect(door.getByRole("heading", { name: "At the door" })).toBeVisible();
    await expect(openNow(page)).toHaveText("Open now · open around the clock");
    const week = door.getByRole("table", { name: /Opening hours \(Europe\/Berlin time\)/ });
    await expect(week.getByRole("row")).toHaveCount(7);
    await expect(week.getByRole("row").first()).toContainText("(today)");
    await expect(week.getByRole("row").first()).toContainText("Open all day");
    await expect(door.getByRole("link", { name: "Open in your maps app" })).toHaveAttribute("href", /^geo:52\.\d+,13\.\d+$/);
    await expect(door.getByRole("link", { name: /Directions on OpenStreetMap/ })).toHaveAttribute(
      "href",
      /^https:\/\/www\.openstreetmap\.org\/directions\?to=52\.\d+%2C13\.\d+$/,
    );
    await expect(door.getByRole("link", { name: "Call +00 555 0100" })).toHaveAttribute("href", "tel:+005550100");
    await expect(door.getByRole("link", { name: /^example\.com \(website/ })).toHaveAttribute(
      "href",
      "https://example.com/bentley-s-flat-white-berlin",
    );
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expectAccessible(page);
    if (vp.name === "390") {
      await door.scrollIntoViewIfNeeded();
      await screenshot(page, "venue-door-390");
    }
    expect(errors).toEqual([]);
  });
}

test("the open-now line follows the reader's clock, not the render's", async ({ page }) => {
  // The server's own line, for its moment (a weekday's daytime reads
  // "closes 19:00", Saturday's "closes 18:00", a night "opens …").
  const html = await (await page.request.get(WEEKDAYS)).text();
  const first = html.match(/data-hours-now[^>]*><span[^>]*>([^<]*)/)![1];
  // A moment days ahead whose line is not that one: Wednesday 12:00 UTC
  // (13:00 or 14:00 in Berlin: open until 19:00), else Saturday 12:00 UTC
  // (open until 18:00).
  const moments: [number, string][] = [
    [3, "Open now · closes 19:00"],
    [6, "Open now · closes 18:00"],
  ];
  const [day, expected] = moments.find(([, line]) => line !== first)!;
  const at = new Date();
  at.setUTCHours(12, 0, 0, 0);
  at.setUTCDate(at.getUTCDate() + ((day - at.getUTCDay() + 7) % 7 || 7));
  expect(first).not.toBe(expected);
  await page.clock.setFixedTime(at);
  await page.goto(WEEKDAYS);
  await waitForHydration(page);
  await expect(openNow(page)).toHaveText(expected);
});
