import { test, expect, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { waitForHydration, screenshot, expectAccessible } from "./helpers";
import { signInLink, signInCode } from "./mail";

const PASSWORD = "correct horse battery";
const VENUE = "/venues/pawsome-bakery-berlin";
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAGCAIAAABxZ0isAAAAEUlEQVR4nGM4UWGDFTEMpAQA+8JHQVZ08twAAAAASUVORK5CYII=",
  "base64",
);

/** Runs one SQL statement against the server's database (as ./test sets it up). */
function sql(statement: string) {
  const db = process.env.E2E_DATABASE_URL ?? "";
  expect(db, "E2E_DATABASE_URL comes from ./test").toBeTruthy();
  execFileSync("psql", [db, "-qc", statement]);
}

test.use({ viewport: { width: 390, height: 844 } });

test("a guest removes their own photo and withdraws a suggestion", async ({ page }) => {
  const name = `Café Rückzug ${Date.now()}`;
  await page.goto(VENUE);
  await waitForHydration(page);
  await page.getByLabel(/with your dog\? Add a photo$/).setInputFiles({ name: "dog.png", mimeType: "image/png", buffer: PNG });
  await page.getByRole("button", { name: "Upload photo" }).click();
  await expect(page.locator(".upload-done img")).toBeVisible();
  // The photo just added offers "Delete" (no "Report"): this browser added it.
  const own = page.getByTestId("own-photo");
  await expect(own).toHaveCount(1);
  // A suggestion from this browser's guest, sent as the suggest form sends it.
  const sent = await page.request.post("/api/suggestions/create", {
    headers: { accept: "application/json" },
    form: { name, category: "cafe", address: "Rückzugsweg 1", city: "Berlin", dogs_inside: "yes", size_limit: "any" },
  });
  expect(sent.ok(), await sent.text()).toBeTruthy();

  // A fresh page for this guest still offers it (rendered for this session).
  await page.reload();
  await waitForHydration(page);
  const photo = page.locator(".photo-grid li", { has: page.getByTestId("own-photo") }).locator("img");
  const src = await photo.getAttribute("src");
  await own.locator("summary").click();
  await own.getByRole("button", { name: "Delete this photo for good" }).click();
  await expect(page.getByTestId("own-photo")).toHaveCount(0);
  await page.reload();
  await expect(page.locator(`.photo-grid img[src="${src}"]`)).toHaveCount(0);

  // Everything this guest added, with counts; the suggestion opens and is withdrawn.
  await page.goto("/mine");
  await waitForHydration(page);
  const counts = page.getByTestId("mine-counts");
  await expect(counts).toContainText("0 photos");
  await expect(counts).toContainText("1 suggestion");
  await expectAccessible(page);
  await screenshot(page, "mine-phone");
  await page.getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
  await page.getByRole("button", { name: "Withdraw this suggestion" }).click();
  await expect(page).toHaveURL(/\/mine\?withdrawn=1/);
  await expect(page.getByRole("status")).toContainText("withdrawn");
  await expect(page.getByTestId("mine-counts")).toContainText("0 suggestions");
});

/** Signs up and confirms in this browser (asked for the chosen password). */
async function signUpAndConfirm(page: Page, email: string) {
  await page.goto("/sign-up");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("sign-up-sent")).toBeVisible();
  await page.goto(await signInLink(email, 1, "verify"));
  await page.getByLabel("The password you chose when signing up").fill(PASSWORD);
  await page.getByRole("button", { name: "Confirm my address" }).click();
  await expect(page).toHaveURL(/\/account$/);
}

/** The sign-in in this browser grows old (as if the phone was left for an hour). */
function ageSignIn(email: string) {
  sql(
    `UPDATE sessions SET authenticated_at = now() - interval '1 hour'
     WHERE user_id = (SELECT id FROM users WHERE email = '${email}')`,
  );
}

test("deleting the account on a phone: an old sign-in is confirmed again right there, by password or code", async ({ page }) => {
  const email = `phone-delete-${Date.now()}@example.com`;
  await signUpAndConfirm(page, email);
  ageSignIn(email);
  await page.goto("/account");
  await page.getByRole("link", { name: "Delete my account…" }).click();
  await expect(page).toHaveURL(/\/account\/delete$/);
  await waitForHydration(page);
  const step = page.getByTestId("reauth");
  await expect(step).toBeInViewport();
  await expect(page.getByLabel("Type your email address to confirm")).toHaveCount(0);

  // A wrong password says so beside the field, on screen.
  await page.getByLabel("Your password").fill("not my password");
  await page.getByRole("button", { name: "Confirm with password" }).click();
  const alert = step.getByRole("alert");
  await expect(alert).toContainText("That password is not right");
  await expect(alert).toBeInViewport();
  await expectAccessible(page);
  await screenshot(page, "delete-reauth-phone");
  await page.getByLabel("Your password").fill(PASSWORD);
  await page.getByRole("button", { name: "Confirm with password" }).click();
  await expect(page.getByLabel("Type your email address to confirm")).toBeVisible();
  await expect(page.getByTestId("deletion-warning")).toContainText("0 dogs");

  // Old again: this time the emailed code, typed on the same page.
  ageSignIn(email);
  await page.reload();
  await waitForHydration(page);
  await page.getByRole("button", { name: "Email me a code instead" }).click();
  await expect(page).toHaveURL(/\/account\/delete\?sent=/);
  await waitForHydration(page);
  await page.getByLabel("The code from the email we just sent").fill(await signInCode(email, 2));
  await page.getByRole("button", { name: "Confirm with code" }).click();
  const confirm = page.getByLabel("Type your email address to confirm");
  await expect(confirm).toBeVisible();
  await screenshot(page, "delete-confirm-phone");
  await confirm.fill(email);
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/sign-in\?deleted=1$/);
});
