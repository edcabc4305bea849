import { test, expect, type Page } from "@playwright/test";
import { createHmac } from "node:crypto";
import { byCode, expectAccessible, screenshot, signedInByCode, waitForHydration } from "./helpers";
import { signInCode } from "./mail";

const PASSWORD = "correct horse battery";

/** RFC 6238 (SHA-1, six digits, 30 s) from a base32 secret, `offset` steps from now. */
function totp(secret: string, offset = 0): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bits = [...secret.replace(/[\s=]/g, "").toUpperCase()]
    .map((c) => alphabet.indexOf(c).toString(2).padStart(5, "0"))
    .join("");
  const key = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + offset));
  const h = createHmac("sha1", key).update(counter).digest();
  const o = h[19] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return (n % 1_000_000).toString().padStart(6, "0");
}

async function signOut(page: Page) {
  await page.goto("/account");
  await page.getByRole("main").getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
}

test("two-step sign-in: set up with a code from the page's secret, then every sign-in asks for a code, a backup code works once, a trusted browser skips it", async ({ browser }) => {
  const email = `two-step-${Date.now()}@example.com`;
  const page = await signedInByCode(browser, email, "Biscuit");

  // A password first, to sign in with later.
  await page.goto("/account");
  await waitForHydration(page);
  await page.getByLabel(/New password/).fill(PASSWORD);
  await page.getByRole("button", { name: "Save password" }).click();
  await expect(page.getByText("Password saved.")).toBeVisible();

  // Set up: the QR code and the key; the first code turns it on.
  await page.getByRole("button", { name: "Set up two-step sign-in" }).click();
  await expect(page).toHaveURL(/\/account\/two-step$/);
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await page.getByTestId("two-step-secret").innerText()).trim();
  expect(secret.replace(/\s/g, "")).toMatch(/^[A-Z2-7]{32}$/);
  await waitForHydration(page);
  await expectAccessible(page);
  await screenshot(page, "two-step-setup");
  await page.setViewportSize({ width: 390, height: 844 });
  await expectAccessible(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByLabel("Six-digit code").fill("000000");
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  await expect(page.getByRole("alert")).toContainText("not right");
  await page.getByLabel("Six-digit code").fill(totp(secret));
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  const codes = page.getByTestId("backup-codes").getByRole("listitem");
  await expect(codes).toHaveCount(10);
  await expect(page.getByTestId("two-step-secret")).toHaveCount(0);
  const backup = (await codes.allInnerTexts()).map((c) => c.trim());
  expect(backup[0]).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
  await expectAccessible(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "two-step-backup-codes-phone");
  await expectAccessible(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole("link", { name: "I have saved them" }).click();
  await expect(page.getByTestId("two-step-on")).toContainText("10 backup codes left");
  await expectAccessible(page);

  // Signed out, the password alone no longer signs in: it asks for the code.
  await signOut(page);
  await page.goto("/sign-in?next=/dogs");
  await waitForHydration(page);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in with password" }).click();
  await expect(page).toHaveURL(/\/two-step/);
  await expect(page.getByTestId("member-badge")).toHaveCount(0);
  await expectAccessible(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "two-step-code-phone");
  await expectAccessible(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByLabel("The code from your authenticator app").fill(totp(secret, 1));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dogs$/);
  await expect(page.getByTestId("member-badge")).toContainText(email);
  await expect(page.getByRole("link", { name: /Biscuit/ }).first()).toBeVisible();

  // By emailed code in another browser: a backup code, and trust this browser.
  const laptop = await byCode(browser, email, undefined, 2);
  await expect(laptop).toHaveURL(/\/two-step/);
  await laptop.getByLabel("The code from your authenticator app").fill(backup[0].toUpperCase());
  await laptop.getByLabel(/Trust this browser for 30 days/).check();
  await laptop.getByRole("button", { name: "Sign in" }).click();
  await expect(laptop.getByTestId("member-badge")).toContainText(email);

  // The same backup code in a third browser is refused; another one works.
  const phone = await byCode(browser, email, undefined, 3);
  await phone.getByLabel("The code from your authenticator app").fill(backup[0]);
  await phone.getByRole("button", { name: "Sign in" }).click();
  await expect(phone.getByTestId("two-step-problem")).toContainText("used already");
  await expect(phone.getByTestId("member-badge")).toHaveCount(0);
  await expectAccessible(phone);
  await phone.getByLabel("The code from your authenticator app").fill(backup[1]);
  await phone.getByRole("button", { name: "Sign in" }).click();
  await expect(phone.getByTestId("member-badge")).toContainText(email);
  await phone.goto("/account");
  await expect(phone.getByTestId("two-step-on")).toContainText("8 backup codes left");
  await expect(phone.getByTestId("trusted-browsers").getByRole("listitem")).toHaveCount(1);
  await expectAccessible(phone);
  await phone.setViewportSize({ width: 390, height: 844 });
  await screenshot(phone, "two-step-account-phone");
  await expectAccessible(phone);

  // The trusted browser signs in again without a code.
  await signOut(laptop);
  await laptop.goto("/sign-in");
  await waitForHydration(laptop);
  await laptop.getByLabel("Email", { exact: true }).fill(email);
  await laptop.getByRole("button", { name: "Email me a sign-in link" }).click();
  await laptop.getByLabel(/type its code here/i).fill(await signInCode(email, 4));
  await laptop.getByRole("button", { name: "Sign in with the code" }).click();
  await expect(laptop.getByTestId("member-badge")).toContainText(email);
});
