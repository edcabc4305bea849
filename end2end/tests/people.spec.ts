import { test, expect } from "@playwright/test";
import { expectAccessible, screenshot, serverCli, signedInByCode as member, waitForHydration } from "./helpers";
import { signInLink } from "./mail";

test("an admin suspends a member: their open page is signed out at once, signing in refuses in words, and lifting it is in the audit", async ({ browser }) => {
  const stamp = Date.now();
  const adminEmail = `people-admin-${stamp}@example.com`;
  const ownerEmail = `suspended-${stamp}@example.com`;
  const admin = await member(browser, adminEmail);
  expect((await admin.goto("/admin/people"))?.status(), "nobody's page but an admin's").toBe(404);
  expect(serverCli("admin", "grant", adminEmail)).toContain("is now an admin");
  const owner = await member(browser, ownerEmail, "Bolt");

  // Found by part of the address, with what they added and when last seen.
  await admin.goto("/admin");
  await admin.getByLabel("Find people by address").fill(`suspended-${stamp}`);
  await admin.getByRole("button", { name: "Find" }).click();
  await expect(admin).toHaveURL(/\/admin\/people\?q=/);
  const row = admin.getByTestId("person").filter({ hasText: ownerEmail });
  await expect(row).toContainText("Member");
  await expect(row).toContainText("1 dog");
  await expect(row).toContainText("Last seen");
  await expectAccessible(admin);
  await admin.setViewportSize({ width: 390, height: 844 });
  await screenshot(admin, "people-phone");
  await admin.setViewportSize({ width: 1280, height: 860 });
  await screenshot(admin, "people-desktop");

  // Suspended for a week, with a reason other admins read.
  await row.getByRole("link", { name: ownerEmail }).click();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText(ownerEmail);
  await waitForHydration(admin);
  await expectAccessible(admin);
  await admin.getByLabel(/^Why/).fill("Posting other people's photos");
  await admin.getByLabel("For how long").selectOption("7");
  await admin.getByRole("button", { name: "Suspend" }).click();
  await expect(admin.getByTestId("ban").first()).toContainText(`Suspended until`);
  await expect(admin.getByTestId("ban").first()).toContainText(`by ${adminEmail}`);
  await expect(admin.getByTestId("audit")).toContainText(`${adminEmail} suspended ${ownerEmail} until`);
  await expectAccessible(admin);
  await screenshot(admin, "person-suspended-desktop");

  // The owner's open page: the next step finds them signed out, told why.
  await owner.reload();
  await expect(owner.getByTestId("claim-notice")).toHaveText(/This account has been suspended/);
  await expect(owner.getByTestId("member-badge")).toHaveCount(0);
  // A new sign-in link is sent (the answer never says), and refused in words.
  await owner.goto("/sign-in");
  await waitForHydration(owner);
  await owner.getByLabel("Email", { exact: true }).fill(ownerEmail);
  await owner.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(owner.getByTestId("code-form")).toBeVisible();
  await owner.goto(await signInLink(ownerEmail, 2));
  await owner.getByRole("button", { name: "Sign in" }).click();
  await expect(owner.getByRole("alert")).toContainText("This account is suspended");
  await expect(owner.getByTestId("member-badge")).toHaveCount(0);

  // Lifted: the same link now signs in, and the audit says who did what.
  await admin.getByRole("button", { name: "Lift the suspension" }).click();
  await expect(admin.getByTestId("ban")).toHaveCount(0);
  await owner.getByRole("button", { name: "Sign in" }).click();
  await expect(owner.getByTestId("member-badge")).toContainText(ownerEmail);
  await admin.goto("/admin/audit");
  await expect(admin.getByTestId("audit")).toContainText(`${adminEmail} lifted the suspension of ${ownerEmail}`);
  await expectAccessible(admin);
});

test("an admin acts as a member: a banner on every page, no admin page, and one click back", async ({ browser }) => {
  const stamp = Date.now();
  const adminEmail = `acting-admin-${stamp}@example.com`;
  const ownerEmail = `acted-${stamp}@example.com`;
  const admin = await member(browser, adminEmail);
  expect(serverCli("admin", "grant", adminEmail)).toContain("is now an admin");
  await member(browser, ownerEmail, "Pixel");

  await admin.goto(`/admin/people?q=acted-${stamp}`);
  await admin.getByTestId("person").getByRole("link", { name: ownerEmail }).click();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText(ownerEmail);
  await admin.getByRole("button", { name: "Act as this person" }).click();

  // Every page says whom, until when, with the way back; their dogs are there.
  const banner = admin.getByTestId("acting-banner");
  await expect(banner).toContainText(`You are acting as ${ownerEmail} until`);
  await expect(admin.getByTestId("member-badge")).toContainText(ownerEmail);
  await admin.goto("/dogs");
  await expect(banner).toBeVisible();
  await expect(admin.getByRole("link", { name: /Pixel/ }).first()).toBeVisible();
  await expectAccessible(admin);
  await admin.setViewportSize({ width: 390, height: 844 });
  await screenshot(admin, "acting-phone");
  await admin.setViewportSize({ width: 1280, height: 860 });
  await screenshot(admin, "acting-desktop");
  // No admin page while acting (the 404 page still says who you are).
  expect((await admin.goto("/admin"))?.status()).toBe(404);
  await expect(banner).toBeVisible();

  // One click back: the admin again, on the person's page, in the audit.
  await admin.goto("/dogs");
  await banner.getByRole("button", { name: "Stop acting" }).click();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText(ownerEmail);
  await expect(admin.getByTestId("acting-banner")).toHaveCount(0);
  await expect(admin.getByTestId("member-badge")).toContainText(adminEmail);
  await expect(admin.getByTestId("audit")).toContainText(`${adminEmail} acted as ${ownerEmail}`);
  await expect(admin.getByTestId("audit")).toContainText(`${adminEmail} stopped acting as ${ownerEmail}`);
});
