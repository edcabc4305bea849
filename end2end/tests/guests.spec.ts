import { test, expect, type Page } from "@playwright/test";
import { expectNoCookies, waitForHydration, screenshot } from "./helpers";

// An 8×6 PNG, enough to exercise the whole photo pipeline.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAGCAIAAABxZ0isAAAAEUlEQVR4nGM4UWGDFTEMpAQA+8JHQVZ08twAAAAASUVORK5CYII=",
  "base64",
);

async function fillDog(page: Page, name: string) {
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Breed (optional)").fill("Poodle");
  await page.getByLabel("Large").check();
  await page.getByLabel("About (up to 500 characters)").fill("Judges every flat white.");
}

test("a guest adds a dog with a photo, and it is still there after a reload", async ({ page, context, browser }) => {
  await page.goto("/");
  await waitForHydration(page);
  await expectNoCookies(context);

  await page.goto("/dogs");
  await waitForHydration(page);
  await expectNoCookies(context);
  await page.getByTestId("add-dog").first().click();
  await expect(page).toHaveURL(/\/dogs\/new$/);
  // The session (and the guest user) exist only now, right before contributing.
  await expect.poll(async () => (await context.cookies()).map((c) => c.name)).toContain("paws_session");
  const cookie = (await context.cookies()).find((c) => c.name === "paws_session")!;
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.sameSite).toBe("Lax");
  await expect(page.getByTestId("guest-badge")).toBeVisible();

  await waitForHydration(page);
  await fillDog(page, "Bentley");
  await page.getByRole("button", { name: "Add dog" }).click();
  await expect(page).toHaveURL(/\/dogs\/[0-9a-f-]{36}(\?added)?$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Bentley");

  await waitForHydration(page);
  await page.getByLabel("Add a photo of Bentley").setInputFiles({ name: "bentley.png", mimeType: "image/png", buffer: PNG });
  await page.getByRole("button", { name: "Upload photo" }).click();
  await expect(page.locator("progress#upload-progress")).toBeVisible();
  await expect(page.locator(".upload-done img")).toBeVisible();
  await expect(page.locator(".photo-grid img")).toHaveCount(1);
  await screenshot(page, "dog-page-desktop");

  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Bentley");
  await expect(page.locator(".photo-grid img")).toHaveCount(1);

  // Another browser sees none of it.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  const res = await otherPage.goto(page.url());
  expect(res?.status()).toBe(404);
  await otherPage.goto("/dogs");
  await expect(otherPage.getByText("No dogs yet")).toBeVisible();
  await other.close();
});

test("the same journey works without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/dogs/new");
  await expectNoCookies(context);
  await fillDog(page, "Olive");
  await page.getByRole("button", { name: "Add dog" }).click();
  await expect(page).toHaveURL(/\/dogs\/[0-9a-f-]{36}(\?added)?$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Olive");
  expect((await context.cookies()).map((c) => c.name)).toContain("paws_session");

  await page.getByLabel("Add a photo of Olive").setInputFiles({ name: "olive.png", mimeType: "image/png", buffer: PNG });
  await page.getByRole("button", { name: "Upload photo" }).click();
  await expect(page.locator(".photo-grid img")).toHaveCount(1);

  // A bad file comes back as a clear message, not an error page.
  await page.getByLabel("Add a photo of Olive").setInputFiles({ name: "x.jpg", mimeType: "image/jpeg", buffer: Buffer.from("<html>") });
  await page.getByRole("button", { name: "Upload photo" }).click();
  await expect(page.getByRole("alert")).toContainText("not a photo we can use");

  await page.goto("/dogs");
  await expect(page.locator(".dog-card")).toHaveCount(1);
  await context.close();
});

test("a guest suggests a venue and sees it as pending", async ({ page, context }) => {
  await page.goto("/suggest");
  await waitForHydration(page);
  await expectNoCookies(context);
  await page.getByLabel("Name of the place").fill("Café Olive");
  await page.getByLabel("Street address").fill("Weserstraße 12");
  await page.getByLabel("City").fill("Berlin");
  // The form chooses nothing for the person.
  await page.getByLabel("Kind of place").selectOption("cafe");
  await page.getByLabel("Where can dogs go inside?").selectOption("yes");
  await page.getByLabel("Which sizes?").selectOption("any");
  await page.getByLabel("Water bowl").check();
  // Picking the spot on the map fills in the optional location.
  await page.getByRole("region", { name: "Pick the place on the map" }).click({ position: { x: 120, y: 90 } });
  await expect(page.getByText(/^Picked -?\d+\.\d+, -?\d+\.\d+$/)).toBeVisible();
  await page.getByRole("button", { name: "Send suggestion" }).click();
  await expect(page).toHaveURL(/\/suggestions/);
  await expect(page.getByText("Café Olive")).toBeVisible();
  await expect(page.getByText("Waiting for review")).toBeVisible();
});
