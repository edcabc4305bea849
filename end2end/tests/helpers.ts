import { expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { signInCode } from "./mail";
import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

/** Where screenshots are kept as test artifacts. */
export const ARTIFACTS = join(__dirname, "..", "artifacts");

/** Reading the site must never set a cookie: no consent banner, no guest rows. */
export async function expectNoCookies(context: BrowserContext) {
  expect(await context.cookies()).toEqual([]);
}

/** Collects uncaught page errors; assert the list is empty at the end. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  return errors;
}

/** Waits until the wasm bundle has hydrated the page. */
export async function waitForHydration(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** The rules axe checks: WCAG 2.0–2.2 A and AA, including 2.2's target size (24×24 px). */
export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** The widths every page is checked at: a phone and a desktop. */
export const WIDTHS = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 860 },
];

/**
 * Runs axe (WCAG 2.2 AA, target size included) at the page's current width,
 * then at the other of the two widths, and fails on any serious or critical
 * violation; the viewport is left as it was.
 */
export async function expectAccessible(page: Page) {
  const before = page.viewportSize();
  const widths = [...WIDTHS].sort((a, b) => Number(b.width === before?.width) - Number(a.width === before?.width));
  for (const vp of widths) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await checkAxe(page, vp.name);
  }
  if (before) await page.setViewportSize(before);
}

async function checkAxe(page: Page, width: string) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    `axe at ${width} width`,
  ).toEqual([]);
}

/** Saves a full-page screenshot under end2end/artifacts. */
export async function screenshot(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Adds a dog (small, no photo) through the form: makes this browser a guest if it was nobody. */
export async function addDog(page: Page, name: string) {
  await page.goto("/dogs/new");
  await waitForHydration(page);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Small").check();
  await page.getByRole("button", { name: "Add dog" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(name);
}

/** Runs the server binary's operator command, as an operator would on the host. */
export function serverCli(...args: string[]): string {
  const bin = process.env.E2E_SERVER_BIN ?? "";
  const db = process.env.E2E_DATABASE_URL ?? "";
  expect(bin && db, "E2E_SERVER_BIN and E2E_DATABASE_URL come from ./test").toBeTruthy();
  return execFileSync(bin, args, { env: { ...process.env, DATABASE_URL: db }, encoding: "utf8" });
}

/** A client address of its own (10.0.0.0/8, as the workers' are). */
export function ownAddress(): string {
  const byte = () => 1 + Math.floor(Math.random() * 250);
  return `10.${byte()}.${byte()}.${byte()}`;
}

/**
 * A new browser signed in as `email` by the emailed code (the `nth` mail to
 * that address); a dog added first when `dog` is given.
 */
export async function signedInByCode(browser: Browser, email: string, dog?: string, nth = 1): Promise<Page> {
  const page = await byCode(browser, email, dog, nth);
  await expect(page.getByTestId("member-badge")).toContainText(email);
  return page;
}

/**
 * A new browser of its own where `email` asks for a sign-in mail and types
 * the `nth` mail's code (an account with two-step sign-in then asks for more).
 */
export async function byCode(browser: Browser, email: string, dog?: string, nth = 1): Promise<Page> {
  // A person of their own, from an address of their own: the sign-ins of
  // many specs on one worker's address would use up its per-client limits
  // (10 sign-in mails in 15 minutes), as no single person does.
  const page = await (await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": ownAddress() } })).newPage();
  if (dog) await addDog(page, dog);
  await page.goto("/sign-in");
  await waitForHydration(page);
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByRole("button", { name: "Email me a sign-in link" }).click();
  await expect(page.getByTestId("code-form")).toBeVisible();
  await page.getByLabel(/type its code here/i).fill(await signInCode(email, nth));
  await page.getByRole("button", { name: "Sign in with the code" }).click();
  return page;
}
