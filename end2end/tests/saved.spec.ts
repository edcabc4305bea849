import { test, expect, type Page } from "@playwright/test";
import { expectAccessible, screenshot, waitForHydration } from "./helpers";
import { signInCode } from "./mail";

const VENUE = "/venues/pawsome-bakery-berlin";

/** The first card on the Berlin list that is not the bakery: its name and its Save button. */
async function aCard(page: Page) {
  const card = page.locator(".venue-card").filter({ hasNot: page.locator(`a[href="${VENUE}"]`) }).first();
  const name = (await card.locator("h3").innerText()).trim();
  return { name, save: card.getByRole("button", { name: `Save ${name}` }) };
}

test("a guest saves from a card and from a venue page, claims by code, and the list comes along", async ({ browser }) => {
  const email = `saver-${Date.now()}@example.com`;
  const page = await (await browser.newContext()).newPage();

  // From a card of the home page (no WASM there: saved.js sends the form).
  await page.goto("/?city=Berlin");
  const { name, save } = await aCard(page);
  await expect(save).toHaveAttribute("aria-pressed", "false");
  await save.click();
  await expect(save).toHaveAttribute("aria-pressed", "true");
  await expect(page.locator(".save-status").filter({ hasText: "Saved to your list." })).toBeVisible();
  // A fresh load asks the server: still saved.
  await page.reload();
  await expect((await aCard(page)).save).toHaveAttribute("aria-pressed", "true");

  // From the venue page.
  await page.goto(VENUE);
  await waitForHydration(page);
  const here = page.getByRole("button", { name: /^Save Pawsome Bakery/ });
  await expect(here).toHaveAttribute("aria-pressed", "false");
  await here.click();
  await expect(here).toHaveAttribute("aria-pressed", "true");

  await page.goto("/saved");
  const list = page.getByTestId("saved-list");
  await expect(list.getByRole("link")).toHaveCount(2);
  await expect(list).toContainText(name);
  await expect(list).toContainText("Pawsome Bakery");

  // Claim by the emailed code, in this browser.
  await page.getByTestId("guest-badge").click();
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await waitForHydration(page);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByTestId("link-sent")).toBeVisible();
  const code = await signInCode(email, 1);
  await page.getByLabel(/type its code here/i).fill(code);
  await page.getByRole("button", { name: "Sign in with the code" }).click();
  await expect(page.getByTestId("member-badge")).toContainText(email);

  await page.goto("/saved");
  await expect(list.getByRole("link")).toHaveCount(2);
  await expect(list).toContainText(name);
  await expect(list).toContainText("Pawsome Bakery");
  await expect(page.getByLabel(/Email me once a week/)).toBeVisible();
  await expectAccessible(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "saved-phone");
  await page.setViewportSize({ width: 1280, height: 860 });
  await screenshot(page, "saved-desktop");
});

test("without JavaScript, Save is a form that lands on the list", async ({ browser }) => {
  const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await page.goto("/?city=Berlin");
  const { name, save } = await aCard(page);
  await save.click();
  await expect(page).toHaveURL(/\/saved\?saved=1$/);
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(page.getByTestId("saved-list")).toContainText(name);
  // Remove is a form too.
  await page.getByRole("button", { name: `Remove ${name} from your list` }).click();
  await expect(page).toHaveURL(/\/saved\?removed=1$/);
  await expect(page.getByText("Nothing saved yet.")).toBeVisible();
});
