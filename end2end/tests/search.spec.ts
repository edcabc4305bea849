import { test, expect, type Page } from "@playwright/test";
import { collectErrors, expectAccessible, screenshot, waitForHydration } from "./helpers";

/** Types `text` into the home page's search box and sends it. */
async function search(page: Page, text: string) {
  const box = page.getByRole("searchbox", { name: "Search" });
  await box.fill(text);
  await box.press("Enter");
}

/** Every listed card is in Berlin, and there are at least `n` of them (the
 * seed's; other specs running beside this one may add a Berlin place). The
 * list settles after the map has moved to the search's places: poll for it. */
async function expectBerlin(page: Page, n: number, max: number) {
  await expect
    .poll(async () => {
      const heading = (await page.locator(".results-count").textContent()) ?? "";
      const shown = Number(heading.match(/^(\d+) places in view$/)?.[1] ?? -1);
      const cards = await page.locator(".venue-card").count();
      const addresses = await page.locator(".venue-address").allTextContents();
      const allBerlin = addresses.every((a) => /, Berlin$/.test(a));
      return shown >= n && shown <= max && cards === shown && allBerlin;
    })
    .toBe(true);
}

for (const [width, height] of [[390, 844], [1280, 900]]) {
  test(`"Berlin, Germany" and "flat white berlin" find Berlin places at ${width} px`, async ({ page }) => {
    const errors = collectErrors(page);
    await page.setViewportSize({ width, height });
    await page.goto("/");
    await waitForHydration(page);
    await search(page, "Berlin, Germany");
    await expectBerlin(page, 12, 14);
    await search(page, "flat white berlin");
    // The seed's three Berlin cafés, one of them named "Flat White".
    await expectBerlin(page, 3, 5);
    await expect(page.locator(".badge-cafe")).toHaveCount(await page.locator(".venue-card").count());
    await screenshot(page, `search-flat-white-berlin-${width}`);
    await expectAccessible(page);
    // The place field takes "City, Country" too.
    await page.goto("/");
    await waitForHydration(page);
    // Its suggestions follow what is typed.
    await page.getByLabel("City").fill("Ams");
    await expect(page.locator("#filter-places option")).toHaveCount(1);
    await expect(page.locator("#filter-places option")).toHaveAttribute("value", "Amsterdam");
    await page.getByLabel("City").fill("Berlin, Germany");
    await page.getByLabel("City").press("Enter");
    await expectBerlin(page, 12, 14);
    expect(errors).toEqual([]);
  });
}

test("a suggestion of a place already listed is caught, and the picker follows the city", async ({ page }) => {
  await page.goto("/suggest");
  await waitForHydration(page);
  // Nothing is chosen for the person.
  for (const label of ["Kind of place", "Where can dogs go inside?", "Which sizes?"]) {
    await expect(page.getByLabel(label)).toHaveValue("");
  }
  const picker = page.getByRole("region", { name: "Pick the place on the map" });
  await expect(picker.locator(".leaflet-control-zoom-in")).toBeVisible();
  await page.getByLabel("Name of the place").fill("Pawsome Bakery");
  await page.getByLabel("Kind of place").selectOption("bakery");
  await page.getByLabel("Street address").fill("Bergmannstr. 17");
  await page.getByLabel("City").fill("Berlin");
  await page.getByLabel("City").blur();
  await page.getByLabel("Where can dogs go inside?").selectOption("yes");
  await page.getByLabel("Which sizes?").selectOption("any");
  // The map moved to the street in Berlin: a click in its middle is in Berlin.
  await expect(async () => {
    await picker.click();
    await expect(page.getByText(/^Picked 52\.\d+, 13\.\d+$/)).toBeVisible({ timeout: 1000 });
  }).toPass();
  await page.getByRole("button", { name: "Send suggestion" }).click();
  await expect(page.getByRole("alert")).toContainText("Is it this place? “Pawsome Bakery”");
  await expect(page.getByRole("link", { name: "Pawsome Bakery" })).toHaveAttribute("href", "/venues/pawsome-bakery-berlin");
  await expect(page).toHaveURL(/\/suggest$/);
  await screenshot(page, "suggest-is-it-this-place");
  await expectAccessible(page);
  // The person says it is another place: it is sent.
  await page.getByLabel("It is a different place").check();
  await page.getByRole("button", { name: "Send suggestion" }).click();
  await expect(page).toHaveURL(/\/suggestions/);
  await expect(page.getByText("Waiting for review").first()).toBeVisible();
});
