import { test, expect, type Page, type CDPSession } from "@playwright/test";
import { addDog, screenshot, expectAccessible } from "./helpers";

// Chromium's virtual authenticator (CDP WebAuthn domain): a platform passkey
// that verifies the user and keeps discoverable credentials. The site runs at
// http://localhost:3000 (./test): browsers refuse passkeys on an IP address.

async function authenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, id: authenticatorId };
}


test("a guest keeps its dogs with a passkey, then signs in with it in a new browser session", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const { cdp, id } = await authenticator(page);
  await addDog(page, "Kiwi");
  await page.goto("/account");
  await page.getByRole("button", { name: "Keep my dogs with a passkey" }).click();
  await expect(page).toHaveURL(/\/account\?passkey=kept$/);
  await expect(page.getByTestId("passkey-notice")).toContainText("Passkey saved");
  await expect(page.getByTestId("ways-in")).toContainText("No email address");
  await expect(page.getByTestId("passkey-Passkey")).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, "account-passkey");
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId: id });
  expect(credentials).toHaveLength(1);
  expect(credentials[0].isResidentCredential).toBe(true);

  // Signed out, a new guest with a dog opens the sign-in page: the browser
  // offers the passkey in autofill, and the virtual authenticator takes it at
  // once. That guest's dog is merged in.
  await page.getByTestId("member-badge").getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await addDog(page, "Mango");
  await page.goto("/sign-in?next=/dogs");
  await expect(page).toHaveURL(/\/dogs$/);
  await expect(page.getByTestId("member-badge")).toBeVisible();
  await expect(page.getByRole("link", { name: /Kiwi/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /Mango/ })).toBeVisible();

  // The button: autofill first fails (the person is not verified), then the
  // button signs in.
  await page.getByTestId("member-badge").getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await cdp.send("WebAuthn.setUserVerified", { authenticatorId: id, isUserVerified: false });
  await page.goto("/sign-in?next=/account");
  await expect(page.locator("body")).toHaveAttribute("data-passkey-autofill", "ended");
  await cdp.send("WebAuthn.setUserVerified", { authenticatorId: id, isUserVerified: true });
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("member-badge")).toBeVisible();
  const after = await cdp.send("WebAuthn.getCredentials", { authenticatorId: id });
  expect(after.credentials[0].signCount).toBeGreaterThan(0);
  await context.close();
});

test("a member adds a named passkey; a failed prompt and an unknown passkey say so", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const first = await authenticator(page);
  await addDog(page, "Pepper");
  await page.goto("/account");
  await page.getByRole("button", { name: "Keep my dogs with a passkey" }).click();
  await expect(page).toHaveURL(/passkey=kept$/);

  // A second one, named, on another authenticator, from the account page.
  await first.cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: first.id });
  const second = await authenticator(page);
  await page.getByLabel(/Name for this passkey/).fill("Yubikey");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page).toHaveURL(/passkey=added$/);
  await expect(page.getByTestId("passkey-Yubikey")).toBeVisible();

  // The prompt fails (the person is not verified, as when they cancel).
  await page.getByTestId("member-badge").getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await second.cdp.send("WebAuthn.setUserVerified", { authenticatorId: second.id, isUserVerified: false });
  await page.goto("/sign-in");
  await expect(page.locator("body")).toHaveAttribute("data-passkey-autofill", "ended");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.locator("[data-passkey-status]")).toHaveText("Passkey sign-in was cancelled.");
  await expect(page.getByTestId("member-badge")).toHaveCount(0);

  // A passkey this site does not know (never registered here, or removed).
  await second.cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: second.id });
  const stranger = await authenticator(page);
  const { generateKeyPairSync } = await import("node:crypto");
  await stranger.cdp.send("WebAuthn.addCredential", {
    authenticatorId: stranger.id,
    credential: {
      credentialId: Buffer.from("not-registered-here-0123456789ab").toString("base64"),
      isResidentCredential: true,
      rpId: "localhost",
      userHandle: Buffer.from("0123456789abcdef").toString("base64"),
      privateKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "der", type: "pkcs8" }).toString("base64"),
      signCount: 0,
    },
  });
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.locator("[data-passkey-status]")).toContainText("not registered here");
  await expect(page.getByTestId("member-badge")).toHaveCount(0);
  await context.close();
});
