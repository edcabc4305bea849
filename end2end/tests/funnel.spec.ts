import { test, expect, type Page } from "@playwright/test";
import { addDog, expectAccessible, screenshot, serverCli, waitForHydration } from "./helpers";
import { signInCode, signInLink } from "./mail";

/** This week's row of the funnel's table (the newest, first), by column name. */
async function thisWeek(page: Page): Promise<Record<string, number>> {
  await page.goto("/admin/funnel");
  const table = page.getByTestId("funnel-table");
  const names = await table.locator("thead th").allInnerTexts();
  const row = table.locator("tbody tr").first();
  const cells = await row.locator("th, td").allInnerTexts();
  return Object.fromEntries(names.map((name, i) => [name, Number(cells[i])]));
}

test("after a guest adds a dog and claims it by the emailed code, the funnel counts them this week", async ({ browser }) => {
  const stamp = Date.now();
  // The admin: an account (email link), then the role from the command line.
  const email = `funnel-admin-${stamp}@example.com`;
  const admin = await (await browser.newContext()).newPage();
  expect((await admin.goto("/admin/funnel"))?.status(), "nobody's page but an admin's").toBe(404);
  await admin.goto("/sign-in");
  await waitForHydration(admin);
  await admin.getByLabel("Email", { exact: true }).fill(email);
  await admin.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(admin.getByTestId("link-sent")).toBeVisible();
  await admin.goto(await signInLink(email));
  await admin.getByRole("button", { name: "Sign in" }).click();
  expect(serverCli("admin", "grant", email)).toContain("is now an admin");
  // Other specs make guests beside this one: the journey counts on top.
  const before = await thisWeek(admin);

  // The journey: a guest adds a dog, then claims it by the emailed code.
  const guest = await (await browser.newContext()).newPage();
  await addDog(guest, "Funnel");
  const owner = `funnel-${stamp}@example.com`;
  await guest.goto("/sign-in");
  await waitForHydration(guest);
  await guest.getByLabel("Email", { exact: true }).fill(owner);
  await guest.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(guest.getByTestId("code-form")).toBeVisible();
  const code = await signInCode(owner, 1);
  await guest.getByLabel(/type its code here/i).fill(code);
  await guest.getByRole("button", { name: "Sign in with the code" }).click();
  await expect(guest.getByTestId("member-badge")).toContainText(owner);

  const after = await thisWeek(admin);
  expect(after["Guests made"]).toBeGreaterThanOrEqual(before["Guests made"] + 1);
  expect(after["Claims by code"]).toBeGreaterThanOrEqual(before["Claims by code"] + 1);
  expect(after["Promoted"]).toBeGreaterThanOrEqual(before["Promoted"] + 1);
  // The chart says the same as the table: its "Guests made" panel's last
  // bar (this week) is labelled with the table's number, in text.
  const chart = admin.getByRole("img", { name: "The funnel, week by week" });
  await expect(chart).toBeVisible();
  const made = chart.locator("g", { has: admin.locator("text.funnel-panel-title", { hasText: "Guests made" }) });
  await expect(made.locator("text.funnel-value").last()).toHaveText(String(after["Guests made"]));
  await expect(admin.getByRole("table", { name: /newest week first/ })).toBeVisible();
  await expectAccessible(admin);
  await admin.setViewportSize({ width: 390, height: 844 });
  await screenshot(admin, "funnel-phone");
  await admin.setViewportSize({ width: 1280, height: 860 });
  await screenshot(admin, "funnel-desktop");
});
