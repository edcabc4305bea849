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
  const dogUrl = laptop.url().split("?")[0]; // without "?added" (the toast shows once)
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
  const dogUrl = page.url().split("?")[0]; // without "?added" (the toast shows once)
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

test("a guest's answer to \"dogs still welcome inside?\" comes along when they sign in", async ({ browser }) => {
  const email = `checker-${Date.now()}@example.com`;
  const venue = "/venues/pawsome-bakery-berlin";
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(venue);
  await waitForHydration(page);
  const check = page.getByTestId("dog-check");
  await expect(check.getByRole("heading")).toHaveText("Were you here with your dog?");
  const before = (await check.getByTestId("confirmed").textContent()) ?? "";
  const count = Number(before.match(/(\d+) confirmation/)?.[1] ?? 0);
  await check.getByRole("button", { name: "Yes" }).click();
  await expect(check.getByTestId("my-check")).toHaveText("You said yes today. Thank you!");
  await expect(check.getByRole("button", { name: "Yes" })).toHaveAttribute("aria-pressed", "true");
  await expect(check.getByTestId("confirmed")).toHaveText(
    new RegExp(`^Last confirmed by a dog owner on \\d{1,2} \\w{3} \\d{4} · ${count + 1} confirmations?$`),
  );
  await expectAccessible(page);
  await screenshot(page, "venue-dog-check");

  // The answer made this browser a guest; signing in brings it along.
  await page.reload();
  await askForLink(page, email);
  await page.goto(await signInLink(email, 1));
  await expect(page.getByTestId("claim-summary")).toHaveText("Your 1 venue check will come with you.");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("member-badge")).toContainText(email);
  await page.goto(venue);
  await expect(page.getByTestId("my-check")).toHaveText("You said yes today. Thank you!");

  // Without JavaScript the same form posts and the page comes back with the answer.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const noJs = await plain.newPage();
  await noJs.goto(venue);
  await noJs.getByTestId("dog-check").getByRole("button", { name: "No" }).click();
  await expect(noJs).toHaveURL(new RegExp(`${venue}\\??$`));
  await expect(noJs.getByTestId("my-check")).toHaveText("You said no today. Thank you, we will look into it.");
  await context.close();
  await plain.close();
});
