import { expect, test } from "@playwright/test";
import { DEMO_USERS } from "../lib/demo/users";
import { navFor } from "../lib/auth/access";
import { signIn } from "./fixtures";

for (const u of DEMO_USERS) {
  test(`signs in as ${u.role} (${u.email}) and sees that role's navigation`, async ({ page }) => {
    await signIn(page, u.email, u.password);
    await expect(page.getByTestId("current-user")).toContainText(u.role);
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link")).toHaveText(navFor(u.role).map((n) => n.label));
  });
}

test("a wrong password is refused with a message", async ({ page }) => {
  await signIn(page, DEMO_USERS[0].email, "not-the-password");
  await expect(page.getByTestId("form-error")).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/login/);
});

test("repeated failed sign-ins are slowed down", async ({ page }) => {
  const email = `guess-${Date.now()}@example.org`;
  // The first three failures are answered normally…
  for (let i = 0; i < 3; i++) {
    await signIn(page, email, `guess-number-${i}`);
    await expect(page.getByTestId("form-error")).toHaveText("Wrong email or password.");
  }
  // …after that each attempt must wait a doubling delay, and quick retries are turned away.
  let throttled = false;
  for (let i = 3; i < 10 && !throttled; i++) {
    await signIn(page, email, `guess-number-${i}`);
    const alert = page.getByTestId("form-error");
    await expect(alert).toBeVisible();
    throttled = (await alert.textContent())!.includes("Too many failed sign-ins");
  }
  expect(throttled).toBe(true);
});

test("after signing in, the user returns to the page they asked for", async ({ page }) => {
  await page.goto("/taxonomy");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Ftaxonomy/);
  await page.getByLabel("Email").fill(DEMO_USERS[1].email);
  await page.getByLabel("Password").fill(DEMO_USERS[1].password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/taxonomy$/);
  await expect(page.getByRole("heading", { name: "Taxonomy", level: 1 })).toBeVisible();
});
