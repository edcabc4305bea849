import { test, expect, type Page } from "@playwright/test";
import { waitForHydration, screenshot, expectAccessible } from "./helpers";
import { signInLink } from "./mail";

const PASSWORD = "correct horse battery";

async function signUp(page: Page, email: string, password = PASSWORD) {
  await page.goto("/sign-up");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("sign-up-sent")).toBeVisible();
}

/** Signs up and confirms the address in the same (guest-less) browser, which
 *  is asked for the password it chose. */
async function signUpAndConfirm(page: Page, email: string, n: number, password = PASSWORD) {
  await signUp(page, email, password);
  await page.goto(await signInLink(email, n, "verify"));
  await page.getByLabel("The password you chose when signing up").fill(password);
  await page.getByRole("button", { name: "Confirm my address" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("member-badge")).toBeVisible();
}

async function signInWithPassword(page: Page, email: string, password: string) {
  await page.goto("/sign-in?next=/dogs");
  await waitForHydration(page);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in with password" }).click();
}

test("a guest signs up, confirms by email in the same browser, signs out and back in with the password: the dog is there", async ({ page }) => {
  const email = `signup-${Date.now()}@example.com`;
  await page.goto("/dogs/new");
  await waitForHydration(page);
  await page.getByLabel("Name").fill("Pepper");
  await page.getByLabel("Medium").check();
  await page.getByRole("button", { name: "Add dog" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Pepper");

  await signUp(page, email);
  await expect(page.getByTestId("guest-badge")).toBeVisible();
  await page.goto(await signInLink(email, 1, "verify"));
  // The browser that signed up is not asked for its password again.
  await expect(page.getByLabel("The password you chose when signing up")).toHaveCount(0);
  await page.getByRole("button", { name: "Confirm my address" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("claim-notice")).toContainText("confirmed");
  await expect(page.getByTestId("verified")).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, "account-page");

  await page.getByRole("main").getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/dogs");
  await expect(page.getByText("No dogs yet")).toBeVisible();

  await signInWithPassword(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/dogs$/);
  await expect(page.getByRole("link", { name: "Pepper" })).toBeVisible();
});

test("a forgotten password is reset by email and the old one stops working", async ({ page }) => {
  const email = `reset-${Date.now()}@example.com`;
  await signUpAndConfirm(page, email, 1);
  await page.getByTestId("member-badge").getByRole("button", { name: "Sign out", exact: true }).click();

  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Email me a reset link" }).click();
  await expect(page.getByTestId("reset-sent")).toBeVisible();

  await page.goto(await signInLink(email, 2, "reset"));
  await page.getByLabel("New password").fill("a brand new secret");
  await page.getByRole("button", { name: "Save new password" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("claim-notice")).toContainText("new password is saved");

  await page.getByTestId("member-badge").getByRole("button", { name: "Sign out", exact: true }).click();
  await signInWithPassword(page, email, PASSWORD);
  await expect(page.getByRole("alert")).toContainText("do not match");
  await signInWithPassword(page, email, "a brand new secret");
  await expect(page.getByTestId("member-badge")).toBeVisible();
});

test("deleting the account asks for the address and removes it", async ({ page }) => {
  const email = `delete-${Date.now()}@example.com`;
  await signUpAndConfirm(page, email, 1);
  await page.goto("/account/delete");
  await waitForHydration(page);
  await page.getByLabel("Type your email address to confirm").fill("wrong@example.com");
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page.getByRole("alert")).toContainText("Type your email address exactly");
  await page.getByLabel("Type your email address to confirm").fill(email);
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/sign-in\?deleted=1$/);
  await expect(page.getByText("Your account and everything in it were deleted.")).toBeVisible();
  await signInWithPassword(page, email, PASSWORD);
  await expect(page.getByRole("alert")).toContainText("do not match");
});
