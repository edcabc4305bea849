import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect } from "@playwright/test";

/** The Maildir of the SMTP sink that ./test starts for the server under test. */
const MAILDIR = process.env.E2E_MAILDIR ?? "";

function decodeQuotedPrintable(raw: string): string {
  return raw
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function messagesTo(address: string): string[] {
  const dir = join(MAILDIR, "new");
  let files: string[] = [];
  try {
    files = readdirSync(dir).map((f) => join(dir, f));
  } catch {
    return [];
  }
  return files
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
    .map((f) => readFileSync(f, "utf8"))
    .filter((m) => m.split(/\r?\n/).some((l) => l.toLowerCase() === `to: ${address.toLowerCase()}`));
}

/** Waits for the n-th email to `address` at the SMTP sink and returns its `/auth/{kind}` link. */
export async function signInLink(address: string, n = 1, kind = "confirm"): Promise<string> {
  expect(MAILDIR, "E2E_MAILDIR must point at the SMTP sink's Maildir (run ./test)").not.toBe("");
  let message: string | undefined;
  await expect.poll(() => (message = messagesTo(address)[n - 1]) !== undefined, { timeout: 15_000 }).toBe(true);
  const text = decodeQuotedPrintable(message!);
  const link = text.match(new RegExp(`https?://[^\\s"<>]+/auth/${kind}\\?token=[0-9a-f]{64}`))?.[0];
  expect(link, "the email carries a sign-in link").toBeTruthy();
  return link!;
}

/** Waits for the n-th email to `address` and returns its sign-in code (8 digits). */
export async function signInCode(address: string, n = 1): Promise<string> {
  let message: string | undefined;
  await expect.poll(() => (message = messagesTo(address)[n - 1]) !== undefined, { timeout: 15_000 }).toBe(true);
  const text = decodeQuotedPrintable(message!);
  const code = text.match(/where you asked for it: (\d{4}) (\d{4})/);
  expect(code, "the email carries a sign-in code").toBeTruthy();
  return code![1] + code![2];
}
