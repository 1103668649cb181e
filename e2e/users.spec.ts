import { expect, test } from "@playwright/test";
import { loginAs, signIn } from "./fixtures";

test("an admin adds a user, changes the role, and the new user signs in with it", async ({ page, browser }) => {
  const email = `new-${Date.now()}@example.org`;
  await loginAs(page, "admin");
  await page.goto("/admin/users");
  const form = page.locator("form");
  await form.getByLabel("Name").fill("Nia Newcomer");
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill("a-long-enough-password");
  await form.getByLabel("Role").selectOption("annotator");
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("form-status")).toHaveText(`Created ${email}.`);

  const row = page.getByTestId("users-table").getByRole("row", { name: new RegExp(email) });
  await expect(row).toContainText("Nia Newcomer");
  await row.getByLabel(`Role of ${email}`).selectOption("researcher");
  await expect(row.getByLabel(`Role of ${email}`)).toHaveValue("researcher");
  await page.reload();
  await expect(page.getByTestId("users-table").getByRole("row", { name: new RegExp(email) }).getByLabel(`Role of ${email}`)).toHaveValue("researcher");

  const other = await browser.newContext();
  const p2 = await other.newPage();
  await signIn(p2, email, "a-long-enough-password");
  await expect(p2.getByTestId("current-user")).toContainText("researcher");
  await other.close();
});

test("the user form says what is wrong with bad input", async ({ page }) => {
  await loginAs(page, "admin");
  await page.goto("/admin/users");
  const form = page.locator("form");
  await form.getByLabel("Name").fill("Short Password");
  await form.getByLabel("Email").fill("admin@abstain.local");
  await form.getByLabel("Password").fill("0123456789");
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("form-error")).toHaveText("A user with the email admin@abstain.local already exists.");
});
