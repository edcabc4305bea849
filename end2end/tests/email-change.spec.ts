import { test, expect } from "@playwright/test";
import { expectAccessible, screenshot, signedInByCode, waitForHydration } from "./helpers";
import { signInLink } from "./mail";

test("a member changes their address by a link to the new one, and the old address undoes it in another browser", async ({ browser }) => {
  const stamp = Date.now();
  const before = `change-old-${stamp}@example.com`;
  const after = `change-new-${stamp}@example.com`;
  const page = await signedInByCode(browser, before, "Scout");

  await page.goto("/account");
  await waitForHydration(page);
  await page.getByLabel("Change your email address").fill(after);
  await page.getByRole("button", { name: "Send a link to the new address" }).click();
  await expect(page.getByTestId("change-sent")).toBeVisible();
  await expectAccessible(page);

  // The new address's link, opened where the account is signed in.
  await page.goto(await signInLink(after, 1, "change-email"));
  await expect(page.getByTestId("change-email-form")).toContainText("c…@example.com");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Use this address" }).click();
  await expect(page.getByTestId("email-changed")).toBeVisible();
  await expect(page.getByTestId("member-badge")).toContainText(after);
  await expect(page.getByTestId("ways-in")).toContainText(after);

  // The old address's undo, in another browser (the mail's second to it).
  const other = await (await browser.newContext()).newPage();
  await other.goto(await signInLink(before, 2, "undo-email"));
  await expect(other.getByTestId("undo-email-form")).toBeVisible();
  await expectAccessible(other);
  await other.setViewportSize({ width: 390, height: 844 });
  await screenshot(other, "undo-email-phone");
  await other.getByRole("button", { name: "Undo the change" }).click();
  await expect(other.getByTestId("undone")).toContainText("your old address is back");
  await expectAccessible(other);

  // The member's browser was signed out with every other; the old address signs in again.
  await page.reload();
  await expect(page.getByTestId("claim-notice")).toHaveText(/signed out/);
  await expect(page.getByTestId("member-badge")).toHaveCount(0);
  const back = await signedInByCode(browser, before, undefined, 3);
  await back.goto("/dogs");
  await expect(back.getByRole("link", { name: /Scout/ }).first()).toBeVisible();
});
