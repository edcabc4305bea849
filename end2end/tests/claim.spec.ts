import { test, expect, type Page } from "@playwright/test";
import { waitForHydration, screenshot, expectAccessible } from "./helpers";
import { signInCode, signInLink } from "./mail";

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAGCAIAAABxZ0isAAAAEUlEQVR4nGM4UWGDFTEMpAQA+8JHQVZ08twAAAAASUVORK5CYII=",
  "base64",
);

async function addDog(page: Page, name: string, withPhoto: boolean) {
  await page.goto("/dogs");
  await waitForHydration(page);
  await page.getByTestId("add-dog").first().click();
  await expect(page).toHaveURL(/\/dogs\/new$/);
  await waitForHydration(page);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Small").check();
  await page.getByRole("button", { name: "Add dog" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
  if (withPhoto) {
    await waitForHydration(page);
    await page.getByLabel(`Add a photo of ${name}`).setInputFiles({ name: "dog.png", mimeType: "image/png", buffer: PNG });
    await page.getByRole("button", { name: "Upload photo" }).click();
    await expect(page.locator(".photo-grid img")).toHaveCount(1);
  }
}

async function askForLink(page: Page, email: string) {
  await page.getByTestId("guest-badge").click();
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await waitForHydration(page);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByTestId("link-sent")).toBeVisible();
}

test("a code read on another device signs in the browser that asked, and its dog comes along", async ({ browser }) => {
  const email = `code-${Date.now()}@example.com`;
  const laptop = await (await browser.newContext()).newPage();
  await addDog(laptop, "Pixel", false);
  const dogUrl = laptop.url();
  await askForLink(laptop, email);
  await expect(laptop.getByTestId("code-form")).toBeVisible();
  await expectAccessible(laptop);
  await screenshot(laptop, "sign-in-code");

  // The mail is read on a phone: opening its link there only shows a page.
  const phone = await (await browser.newContext()).newPage();
  const link = await signInLink(email, 1);
  await phone.goto(link);
  await expect(phone.getByTestId("confirm-form")).toBeVisible();
  const code = await signInCode(email, 1);

  // A typo first: the page says how many tries are left, nothing else happens.
  const wrong = code.slice(0, 7) + ((Number(code[7]) + 1) % 10);
  await laptop.getByLabel(/type its code here/i).fill(wrong);
  await laptop.getByRole("button", { name: "Sign in with the code" }).click();
  await expect(laptop.getByTestId("code-problem")).toContainText("4 more tries");
  await expect(laptop.getByTestId("guest-badge")).toBeVisible();

  await laptop.getByLabel(/type its code here/i).fill(`${code.slice(0, 4)} ${code.slice(4)}`);
  await laptop.getByRole("button", { name: "Sign in with the code" }).click();
  await expect(laptop).toHaveURL(dogUrl);
  await expect(laptop.getByTestId("member-badge")).toContainText(email);
  await expect(laptop.getByRole("heading", { level: 1 })).toHaveText("Pixel");

  // Link and code were one: the phone's link is used up.
  const again = await phone.goto(link);
  expect(again?.status()).toBe(410);
});

test("a guest's dog and photo come along when they sign in, and a second guest merges in", async ({ browser }) => {
  const email = `owner-${Date.now()}@example.com`;
  const first = await browser.newContext();
  const page = await first.newPage();
  await addDog(page, "Bentley", true);
  const dogUrl = page.url();
  await askForLink(page, email);
  await screenshot(page, "sign-in-sent");

  const link = await signInLink(email, 1);
  await page.goto(link);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Sign in as o…@example.com");
  await expect(page.getByTestId("claim-summary")).toHaveText("Your 1 dog and 1 photo will come with you.");
  await expectAccessible(page);
  await screenshot(page, "confirm-sign-in");
  await page.getByRole("button", { name: "Sign in" }).click();

  // Back where they asked from, signed in, with the same dog (promoted in place: same URL).
  await expect(page).toHaveURL(dogUrl);
  await expect(page.getByTestId("claim-notice")).toContainText("You are signed in");
  await expect(page.getByTestId("member-badge")).toContainText(email);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Bentley");
  await expect(page.locator(".photo-grid img")).toHaveCount(1);

  // The link worked once.
  const again = await page.goto(link);
  expect(again?.status()).toBe(410);
  await expect(page.getByTestId("dead-link")).toBeVisible();

  // A second guest in a fresh browser signs in to the same account: its dog merges.
  const second = await browser.newContext();
  const page2 = await second.newPage();
  await addDog(page2, "Olive", false);
  await askForLink(page2, email);
  await page2.goto(await signInLink(email, 2));
  await expect(page2.getByTestId("claim-summary")).toHaveText("Your 1 dog will come with you.");
  await page2.getByRole("button", { name: "Sign in" }).click();
  await expect(page2.getByTestId("claim-notice")).toContainText("Your 1 dog came with you");
  await page2.goto("/dogs");
  await expect(page2.getByRole("link", { name: /Bentley/ })).toBeVisible();
  await expect(page2.getByRole("link", { name: /Olive/ })).toBeVisible();

  // Signing out ends the session.
  await page2.getByRole("button", { name: "Sign out" }).click();
  await expect(page2).toHaveURL(/\/$/);
  await page2.goto("/dogs");
  await expect(page2.getByText("No dogs yet")).toBeVisible();
  await first.close();
  await second.close();
});

test("a link opened in another browser asks before bringing anyone's dogs", async ({ browser }) => {
  const email = `phone-${Date.now()}@example.com`;
  const phone = await browser.newContext();
  const phonePage = await phone.newPage();
  await addDog(phonePage, "Pixel", false);
  await askForLink(phonePage, email);
  const link = await signInLink(email, 1);

  const laptop = await browser.newContext();
  const page = await laptop.newPage();
  await addDog(page, "Lappy", false);
  await page.goto(link);
  await expect(page.getByTestId("claim-summary")).toContainText("asked for in another browser");
  const bringThis = page.getByLabel("Also bring the 1 dog added in this browser");
  await expect(bringThis).not.toBeChecked();
  // Leaving this browser's dog behind would strand it: the page asks first.
  await page.getByRole("button", { name: "Just sign me in" }).click();
  await expect(page.getByTestId("link-problem")).toContainText("This browser holds dogs or photos added as a guest");
  await page.getByLabel("Also bring the 1 dog added in this browser").check();
  await page.getByRole("button", { name: "Just sign me in" }).click();
  await expect(page.getByTestId("member-badge")).toBeVisible();
  await page.goto("/dogs");
  await expect(page.getByRole("link", { name: "Lappy" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Pixel" })).toHaveCount(0);
  await phone.close();
  await laptop.close();
});
