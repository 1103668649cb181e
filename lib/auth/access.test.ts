import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROUTES, allows, navFor } from "./access";

// Turns app/ files into route paths: route groups "(x)" vanish, page.tsx / route.ts name the route.
function routesOnDisk(dir: string, prefix = ""): { kind: "page" | "api"; path: string }[] {
  const out: { kind: "page" | "api"; path: string }[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (e.name.startsWith("_")) continue; // private folders (_components)
      const seg = /^\(.*\)$/.test(e.name) ? "" : `/${e.name}`;
      out.push(...routesOnDisk(path.join(dir, e.name), prefix + seg));
    } else if (/^page\.(tsx|ts|jsx|js)$/.test(e.name)) out.push({ kind: "page", path: prefix || "/" });
    else if (/^route\.(tsx|ts|jsx|js)$/.test(e.name)) out.push({ kind: "api", path: prefix || "/" });
  }
  return out;
}

describe("access registry", () => {
  it("lists exactly the pages and routes that exist under app/", () => {
    const disk = routesOnDisk(path.join(__dirname, "../../app")).map((r) => `${r.kind} ${r.path}`).sort();
    const declared = ROUTES.map((r) => `${r.kind} ${r.path}`).sort();
    expect(declared).toEqual(disk);
  });

  it("keeps user management for admins", () => {
    expect(allows(ROUTES.find((r) => r.path === "/admin/users")!.roles, "researcher")).toBe(false);
    expect(allows(ROUTES.find((r) => r.path === "/admin/users")!.roles, "admin")).toBe(true);
    expect(allows("public", null)).toBe(true);
    expect(allows(["admin"], null)).toBe(false);
  });

  it("shows each role only the pages it may open", () => {
    const research = ["/", "/queues", "/results", "/browse", "/import", "/agreement", "/adjudicate", "/taxonomy", "/jobs"];
    expect(navFor("annotator").map((n) => n.path)).toEqual(["/", "/queues", "/taxonomy"]);
    expect(navFor("researcher").map((n) => n.path)).toEqual(research);
    expect(navFor("admin").map((n) => n.path)).toEqual([...research, "/admin/users", "/admin/settings"]);
  });
});
