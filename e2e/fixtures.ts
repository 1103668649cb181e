// Shared e2e helpers: signing in through the real form, and the numbers e2e/prepare.ts computed.
import { readFileSync } from "node:fs";
import { expect, type Page } from "@playwright/test";
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
