import { test, expect, type Page } from "@playwright/test";
import { waitForHydration, screenshot, expectAccessible } from "./helpers";
import { signInLink } from "./mail";

async function addDog(page: Page, name: string) {
  await page.goto("/dogs/new");
  await waitForHydration(page);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Small").check();
  await page.getByRole("button", { name: "Add dog" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
}

test("adding a dog says so, for screen readers too", async ({ page }) => {
  await addDog(page, "Bentley");
  const toast = page.getByRole("status").filter({ hasText: "Bentley is added." });
  await expect(toast).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, "dog-added");
});

test("the asking phone shows the moved-dogs notice", async ({ browser }) => {
  const email = `moved-${Date.now()}@example.com`;
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
  await addDog(phone, "Bentley");
  await phone.getByTestId("guest-badge").click();
  await expect(phone).toHaveURL(/\/sign-in\?next=/);
  await waitForHydration(phone);
  await phone.getByLabel("Email", { exact: true }).fill(email);
  await phone.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(phone.getByTestId("link-sent")).toBeVisible();

  // The link is opened on the laptop: "Bring them and sign in".
  const laptop = await (await browser.newContext()).newPage();
  await laptop.goto(await signInLink(email, 1));
  await laptop.getByRole("button", { name: "Bring them and sign in" }).click();
  await expect(laptop.getByTestId("member-badge")).toContainText(email);

  // The phone's next page says where the dogs went, once.
  await phone.goto("/dogs");
  const notice = phone.getByTestId("claim-notice");
  await expect(notice).toContainText("Your dogs moved into an account (m…@example.com)");
  await expect(notice).toContainText("sign in here with the code or the link");
  await expectAccessible(phone);
  await screenshot(phone, "moved-dogs-notice");
  await phone.reload();
  await expect(phone.getByTestId("claim-notice")).toHaveCount(0);
});
