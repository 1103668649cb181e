// Keyboard use: on every page, Tab alone reaches every control, each shows where the focus is, and
// nothing is a mouse-only control (something that looks clickable but no key can reach).
import { expect, test, type Page } from "@playwright/test";
import { ALL_ROLES } from "../lib/auth/access";
import { loginAs, pagesFor } from "./fixtures";

interface Walk {
  controls: string[]; // a short description of every control a keyboard user must reach
  missed: string[];
  invisibleFocus: string[];
  mouseOnly: string[];
}

/** Tabs through the page once from the top and reports what the focus reached and how it looked. */
async function walk(page: Page): Promise<Walk> {
  const total = await page.evaluate(() => {
    const FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]";
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && !el.closest("[inert], [aria-hidden=true]");
    };
    const describe = (el: Element) => {
      const label = (el as HTMLInputElement).labels?.[0]?.innerText;
      const name = el.getAttribute("aria-label") || label || (el as HTMLElement).innerText || el.getAttribute("name") || "";
      return `<${el.tagName.toLowerCase()}> ${name.trim().slice(0, 40)}`;
    };
    const controls = [...document.querySelectorAll(FOCUSABLE)].filter(
      (el) => visible(el) && !(el as HTMLButtonElement).disabled && el.getAttribute("tabindex") !== "-1",
    );
    // A radio group is one tab stop (arrow keys move within it): reaching any member reaches the group.
    const key = (el: Element) => (el instanceof HTMLInputElement && el.type === "radio" && el.name ? `radio:${el.name}` : null);
    const w = window as unknown as { __kb: { controls: string[]; keys: (string | null)[]; reached: Set<number>; invisible: Set<number> } };
    w.__kb = { controls: controls.map(describe), keys: controls.map(key), reached: new Set(), invisible: new Set() };
    controls.forEach((el, i) => el.setAttribute("data-kb", String(i)));
    document.addEventListener("focusin", (e) => {
      const el = e.target as HTMLElement;
      const i = Number(el.getAttribute?.("data-kb") ?? NaN);
      if (Number.isNaN(i)) return;
      w.__kb.reached.add(i);
      const s = getComputedStyle(el);
      const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
      const ring = s.boxShadow !== "none" && s.boxShadow !== "";
      if (!outline && !ring) w.__kb.invisible.add(i);
    });
    (document.activeElement as HTMLElement | null)?.blur();
    return controls.length;
  });
  // Start from the top of the document, then one Tab per control plus a few for what is not counted.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator("body").focus();
  for (let i = 0; i < total + 5; i++) await page.keyboard.press("Tab");
  return page.evaluate(() => {
    const w = window as unknown as { __kb: { controls: string[]; keys: (string | null)[]; reached: Set<number>; invisible: Set<number> } };
    const { controls, keys, reached, invisible } = w.__kb;
    const reachedGroups = new Set([...reached].map((i) => keys[i]).filter(Boolean));
    const missed = controls.filter((_, i) => !reached.has(i) && !(keys[i] && reachedGroups.has(keys[i])));
    // Looks clickable (pointer cursor) yet neither is nor sits in something focusable.
    const FOCUSABLE = "a[href], button, input, select, textarea, summary, label, [tabindex]";
    const mouseOnly = [...document.querySelectorAll("body *")]
      .filter((el) => getComputedStyle(el).cursor === "pointer" && !el.closest(FOCUSABLE) && !el.querySelector(FOCUSABLE))
      .filter((el) => el.getBoundingClientRect().width > 0)
      .map((el) => `<${el.tagName.toLowerCase()} class="${el.getAttribute("class") ?? ""}">`);
    return { controls, missed, invisibleFocus: [...invisible].map((i) => controls[i]), mouseOnly };
  });
}

test("the sign-in page: every control reachable by Tab with a visible focus", async ({ page }) => {
  await page.goto("/login");
  const w = await walk(page);
  expect(w.controls.length).toBeGreaterThanOrEqual(3);
  expect(w).toMatchObject({ missed: [], invisibleFocus: [], mouseOnly: [] });
});

test("every page, for every role: every control reachable by Tab with a visible focus, no mouse-only control", async ({ page }) => {
  test.setTimeout(300_000);
  const done = new Set<string>();
  for (const role of ALL_ROLES) {
    await page.context().clearCookies();
    await loginAs(page, role);
    for (const url of await pagesFor(page, role)) {
      // Pages look the same to every role that may open them, apart from the queue an annotator opens.
      const key = url.replace(/\/browse\/.+/, "/browse/[id]");
      if (done.has(key)) continue;
      done.add(key);
      await page.goto(url);
      await page.waitForLoadState("networkidle");
      const w = await walk(page);
      expect.soft(w.controls.length, `${url}: controls found`).toBeGreaterThan(0);
      expect.soft(w.missed, `${url}: not reachable by Tab`).toEqual([]);
      expect.soft(w.invisibleFocus, `${url}: focus not visible`).toEqual([]);
      expect.soft(w.mouseOnly, `${url}: mouse-only controls`).toEqual([]);
    }
  }
});
