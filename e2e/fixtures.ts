// Shared e2e helpers: signing in through the real form, and the numbers e2e/prepare.ts computed.
import { readFileSync } from "node:fs";
import { expect, type Page } from "@playwright/test";
import { ROUTES, allows } from "../lib/auth/access";
import { DEMO_USERS } from "../lib/demo/users";
import type { RoleName } from "../lib/users/schema";

export function demoUser(role: RoleName) {
  return DEMO_USERS.find((u) => u.role === role)!;
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function loginAs(page: Page, role: RoleName) {
  const u = demoUser(role);
  await signIn(page, u.email, u.password);
  await expect(page.getByTestId("current-user")).toContainText(role);
}

export interface Expected {
  totals: Record<string, number>;
  promptsByDatasetAndCategory: { dataset: string; category: string; n: number }[];
  runs: { model: string; run: string; responses: number }[];
}

export function expected(): Expected {
  return JSON.parse(readFileSync("e2e/.state/expected.json", "utf8"));
}

/**
 * Every page the signed-in role may open, as concrete URLs (the first response for /browse/[id], the
 * first queue the role may annotate for /queues/[id], if any). Leaves the page wherever it last went.
 */
export async function pagesFor(page: Page, role: RoleName): Promise<string[]> {
  const urls: string[] = [];
  for (const r of ROUTES) {
    if (r.kind !== "page" || r.path === "/login" || !allows(r.roles, role)) continue;
    if (r.path === "/browse/[id]") {
      await page.goto("/browse");
      urls.push((await page.getByTestId("open-response").first().getAttribute("href"))!);
    } else if (r.path === "/queues/[id]") {
      await page.goto("/queues");
      const link = page.getByTestId("queue-row").getByRole("link", { name: "Annotate" }).first();
      if (await link.count()) urls.push((await link.getAttribute("href"))!); // only annotators and assignees open one
    } else {
      urls.push(r.path);
    }
  }
  return urls;
}
