import { test, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { waitForHydration, expectAccessible, screenshot } from "./helpers";
import { signInLink } from "./mail";

/** Runs the server binary's operator command, as an operator would on the host. */
function serverCli(...args: string[]): string {
  const bin = process.env.E2E_SERVER_BIN ?? "";
  const db = process.env.E2E_DATABASE_URL ?? "";
  expect(bin && db, "E2E_SERVER_BIN and E2E_DATABASE_URL come from ./test").toBeTruthy();
  return execFileSync(bin, args, { env: { ...process.env, DATABASE_URL: db }, encoding: "utf8" });
}

test("a guest proposes a policy with times, an admin applies it, and the venue page says it in words", async ({ browser }) => {
  const stamp = Date.now();
  const guest = await (await browser.newContext()).newPage();
  // A demo venue in a city no other spec changes.
  await guest.goto("/?city=Amsterdam");
  const link = guest.locator(".venue-card h3 a").last();
  const name = (await link.textContent()) ?? "";
  const href = (await link.getAttribute("href")) ?? "";
  expect(href).toMatch(/^\/venues\//);
  await guest.goto(href);
  await waitForHydration(guest);

  await guest.getByText("Suggest a change").click();
  const form = guest.getByTestId("suggest-change");
  // Each field shows the value it has now.
  await expect(form.getByText(/^Now: /).first()).toBeVisible();
  await guest.getByLabel("Where may dogs go?").selectOption("some_areas");
  await guest.getByLabel("Which sizes?").selectOption("up_to_medium");
  await guest.getByLabel("Leash").selectOption("required");
  const times = guest.getByLabel(/Times that change it/);
  // A condition that is not a time is refused in words; nothing is lost.
  await times.fill("no @ wet");
  await guest.getByRole("button", { name: "Send the change" }).click();
  await expect(form.getByRole("alert")).toContainText("is not a time we can read");
  await expect(times).toHaveValue("no @ wet");
  await times.fill("no @ (Mo-Fr 11:30-14:00)");
  await guest.getByRole("button", { name: "Send the change" }).click();
  await expect(guest.getByTestId("proposal-status")).toContainText("An admin will look at your change");
  await expectAccessible(guest);

  // The admin: an account first (email link), then the role from the CLI.
  const email = `policy-admin-${stamp}@example.com`;
  const admin = await (await browser.newContext()).newPage();
  await admin.goto("/sign-in");
  await waitForHydration(admin);
  await admin.getByLabel("Email", { exact: true }).fill(email);
  await admin.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(admin.getByTestId("link-sent")).toBeVisible();
  await admin.goto(await signInLink(email));
  await admin.getByRole("button", { name: "Sign in" }).click();
  expect(serverCli("admin", "grant", email)).toContain("is now an admin");

  await admin.goto("/admin");
  await waitForHydration(admin);
  const card = admin.getByTestId("policy-proposal").filter({ hasText: name });
  await expect(card).toContainText("Proposed by a guest");
  await expect(card).toContainText("Not allowed Mon–Fri 11:30–14:00");
  await expect(card).toContainText("On a leash");
  await expectAccessible(admin);
  await card.getByRole("button", { name: "Apply" }).click();
  await expect(admin.getByTestId("policy-proposal").filter({ hasText: name })).toHaveCount(0);

  // The venue page, as anyone sees it.
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(href);
  await expect(visitor.getByTestId("policy-where")).toHaveText("Dogs welcome in some areas inside");
  await expect(visitor.getByTestId("policy-leash")).toHaveText("Dogs on a leash");
  await expect(visitor.getByTestId("policy-times")).toContainText("Not allowed Mon–Fri 11:30–14:00");
  await expect(visitor.getByText("Small and medium dogs").first()).toBeVisible();
  await expectAccessible(visitor);
  await visitor.setViewportSize({ width: 390, height: 844 });
  await screenshot(visitor, "policy-venue-390");
});
