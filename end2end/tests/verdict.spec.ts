import { test, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { collectErrors, expectAccessible, screenshot, waitForHydration } from "./helpers";

// A venue of its own (removed afterwards) with a member's "yes" three days
// ago, written straight to the database; a guest then answers "no" in the
// browser. Recent answers that disagree: the page says "disputed", with the
// dates of both, the "no" at once and "not yet reviewed".
const SLUG = "e2e-verdict-cafe";
const MEMBER = "e2e-verdict@example.com";

function sql(statement: string) {
  const db = process.env.E2E_DATABASE_URL ?? "";
  expect(db, "E2E_DATABASE_URL comes from ./test").toBeTruthy();
  execFileSync("psql", [db, "-qc", statement]);
}

/** A UTC day `ago` days back as pages write it ("3 Dec 2026"). */
function day(ago: number): string {
  const d = new Date(Date.now() - ago * 86_400_000);
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

test.describe.configure({ mode: "serial" });

test.beforeAll(() => {
  sql(`DELETE FROM venues WHERE slug = '${SLUG}'; DELETE FROM users WHERE email = '${MEMBER}';
       INSERT INTO venues (slug, name, category, address, city, location, dogs_inside, size_limit)
       VALUES ('${SLUG}', 'Verdict Café', 'cafe', 'Rua Verde 1', 'Lisbon', point(-9.14, 38.71), 'yes', 'any');
       INSERT INTO users (email, is_anonymous) VALUES ('${MEMBER}', false);
       INSERT INTO venue_checks (venue_id, user_id, welcome, checked_on)
       SELECT v.id, u.id, true, (now() AT TIME ZONE 'UTC')::date - 3
       FROM venues v, users u WHERE v.slug = '${SLUG}' AND u.email = '${MEMBER}'`);
});

test.afterAll(() => {
  sql(`DELETE FROM venues WHERE slug = '${SLUG}'; DELETE FROM users WHERE email = '${MEMBER}'`);
});

test("a venue with recent yes and no answers shows disputed with their dates", async ({ page, browser }) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/venues/${SLUG}`);
  await waitForHydration(page);
  await page.getByRole("button", { name: "No", exact: true }).click();
  await expect(page.getByTestId("my-check")).toHaveText(/You said no today/);

  // Anyone (no cookie) sees it at once.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const visitor = await context.newPage();
  await visitor.goto(`/venues/${SLUG}`);
  const verdict = visitor.getByTestId("verdict");
  await expect(verdict.getByRole("heading", { level: 2 })).toHaveText(/Dogs inside: Disputed/);
  await expect(verdict).toContainText(`said yes, on ${day(3)}`);
  await expect(verdict).toContainText(`said no, on ${day(0)}`);
  const answers = verdict.getByTestId("verdict-answers");
  await expect(answers.getByRole("listitem")).toHaveText([`No · ${day(0)} · not yet reviewed`, `Yes · ${day(3)}`]);
  // Above the fold on a phone.
  const box = await verdict.boundingBox();
  expect(box && box.y + box.height).toBeLessThanOrEqual(844);
  await screenshot(visitor, "verdict-disputed-390");
  await expectAccessible(visitor);
  await visitor.setViewportSize({ width: 1280, height: 860 });
  await screenshot(visitor, "verdict-disputed-1280");

  // The card and the "Confirmed in the last year" filter.
  await visitor.goto("/?city=Lisbon");
  const card = visitor.locator(".venue-card", { hasText: "Verdict Café" });
  await expect(card.locator(".verdict-line")).toHaveText(/Disputed: 1 yes, 1 no this year/);
  await visitor.getByLabel("Confirmed in the last year").check();
  await visitor.getByRole("button", { name: "Show places" }).click();
  await expect(visitor).toHaveURL(/confirmed=1/);
  await expect(visitor.locator(".venue-card", { hasText: "Verdict Café" })).toHaveCount(0);
  await expectAccessible(visitor);
  await context.close();
  expect(errors).toEqual([]);
});
