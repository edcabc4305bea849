import { test, expect, type Page } from "@playwright/test";
import { addDog, waitForHydration, screenshot, expectAccessible } from "./helpers";
import { signInLink } from "./mail";

// ./test starts a real OpenID provider (oidc-provider, scripts/oidc-provider.mjs)
// on 127.0.0.1:2527 with a client for this server, shown as "Local ID". Its
// development login form takes any login: an address is a verified email.


async function loginAtProvider(page: Page, login: string) {
  await expect(page).toHaveURL(/127\.0\.0\.1:2527\/interaction\//);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("anything");
  await page.getByRole("button", { name: "Sign-in" }).click();
}

test("a guest signs in with an OpenID provider and its dog comes along", async ({ browser }) => {
  const login = `oidc-${Date.now()}@example.com`;
  const page = await (await browser.newContext()).newPage();
  await addDog(page, "Nova");
  const dogUrl = page.url().split("?")[0]; // without "?added" (the toast shows once)
  await page.getByTestId("guest-badge").click();
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await expectAccessible(page);
  await screenshot(page, "sign-in-providers");
  await page.getByRole("button", { name: "Sign in with Local ID" }).click();
  await loginAtProvider(page, login);

  // Back where they were, a member now, with the same dog (promoted in place).
  await expect(page).toHaveURL(dogUrl);
  await expect(page.getByTestId("member-badge")).toContainText(login);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Nova");
  await page.goto("/account");
  await expect(page.getByTestId("linked-local")).toContainText("Local ID");
  await expect(page.getByTestId("ways-in")).toContainText("Email link or code");
  await expectAccessible(page);
  await screenshot(page, "account-ways-in");
});

test("signing in with a provider whose address has an account links only after confirming", async ({ browser }) => {
  const email = `linked-${Date.now()}@example.com`;
  // The account exists already (made with an email link).
  const first = await (await browser.newContext()).newPage();
  await first.goto("/sign-in");
  await waitForHydration(first);
  await first.getByLabel("Email", { exact: true }).fill(email);
  await first.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(first.getByTestId("link-sent")).toBeVisible();
  await first.goto(await signInLink(email, 1));
  await first.getByRole("button", { name: "Sign in" }).click();
  await expect(first.getByTestId("member-badge")).toContainText(email);

  // Another browser's guest uses the provider with that address.
  const page = await (await browser.newContext()).newPage();
  await addDog(page, "Juno");
  await page.goto("/sign-in?next=/dogs");
  await page.getByRole("button", { name: "Sign in with Local ID" }).click();
  await loginAtProvider(page, email);
  await expect(page).toHaveURL(/\/auth\/oidc\/confirm$/);
  await expect(page.getByTestId("oidc-confirm")).toContainText("already has a Paws Inside account");
  await expect(page.getByTestId("guest-badge")).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, "oidc-confirm");
  await page.getByRole("button", { name: "Link Local ID and sign in" }).click();

  await expect(page).toHaveURL(/\/dogs$/);
  await expect(page.getByTestId("member-badge")).toContainText(email);
  await expect(page.getByRole("link", { name: /Juno/ })).toBeVisible();
  await page.goto("/account");
  await expect(page.getByTestId("linked-local")).toBeVisible();
});

test("cancelling at the provider says so and changes nothing", async ({ browser }) => {
  const page = await (await browser.newContext()).newPage();
  await addDog(page, "Echo");
  await page.goto("/sign-in?next=/dogs");
  await page.getByRole("button", { name: "Sign in with Local ID" }).click();
  await expect(page).toHaveURL(/127\.0\.0\.1:2527\/interaction\//);
  await page.getByRole("link", { name: /cancel/i }).click();
  await expect(page).toHaveURL(/\/sign-in\?error=oidc_denied$/);
  await expect(page.getByTestId("sign-in-problem")).toContainText("cancelled");
  await expect(page.getByTestId("guest-badge")).toBeVisible();
});
