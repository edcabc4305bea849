import { test, expect } from "@playwright/test";
import { waitForHydration, expectAccessible, serverCli } from "./helpers";
import { signInLink } from "./mail";

test("a guest suggests a venue, an admin made on the command line approves it, and it is on the map", async ({ browser }) => {
  const stamp = Date.now();
  const name = `Café Approved ${stamp}`;
  const guest = await (await browser.newContext()).newPage();
  await guest.goto("/suggest");
  await waitForHydration(guest);
  await guest.getByLabel("Name of the place").fill(name);
  await guest.getByLabel("Street address").fill("Oranienstraße 1");
  await guest.getByLabel("City").fill("Berlin");
  // The form chooses nothing for the person.
  await guest.getByLabel("Kind of place").selectOption("cafe");
  await guest.getByLabel("Where can dogs go inside?").selectOption("yes");
  await guest.getByLabel("Which sizes?").selectOption("any");
  await guest.getByRole("region", { name: "Pick the place on the map" }).click({ position: { x: 150, y: 100 } });
  await guest.getByRole("button", { name: "Send suggestion" }).click();
  await expect(guest.getByText("Waiting for review").first()).toBeVisible();

  // The admin: an account first (email link), then the role from the CLI.
  const email = `admin-${stamp}@example.com`;
  const admin = await (await browser.newContext()).newPage();
  const before = await admin.goto("/admin");
  expect(before?.status()).toBe(404);
  await admin.goto("/sign-in");
  await waitForHydration(admin);
  await admin.getByLabel("Email", { exact: true }).fill(email);
  await admin.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(admin.getByTestId("link-sent")).toBeVisible();
  await admin.goto(await signInLink(email));
  await admin.getByRole("button", { name: "Sign in" }).click();
  expect(serverCli("admin", "grant", email)).toContain("is now an admin");
  expect(serverCli("admin", "list")).toContain(email);

  await admin.goto("/admin");
  await waitForHydration(admin);
  const card = admin.getByTestId("pending-suggestion").filter({ has: admin.locator(`input[value="${name}"]`) });
  await expect(card).toContainText("Suggested by a guest");
  await expectAccessible(admin);
  await card.getByRole("button", { name: "Approve" }).click();
  await expect(admin.getByTestId("pending-suggestion").filter({ has: admin.locator(`input[value="${name}"]`) })).toHaveCount(0);

  // Public now: in the list, on the map, with its own page and credit.
  await guest.goto(`/?q=${encodeURIComponent(String(stamp))}`);
  await waitForHydration(guest);
  await expect(guest.getByRole("link", { name })).toBeVisible();
  await expect(guest.locator(".leaflet-marker-icon")).toHaveCount(1);
  await guest.getByRole("link", { name }).click();
  await expect(guest.getByTestId("suggested-by")).toHaveText("Suggested by a guest");
  await guest.goto("/suggestions");
  await expect(guest.getByText("Approved").first()).toBeVisible();
});
