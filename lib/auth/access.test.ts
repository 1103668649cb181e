import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ACTIONS, ROUTES, allows, navFor } from "./access";

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

const ROOT = path.join(__dirname, "../..");

/** Every module under app/, lib/ and components/ that starts with "use server", with its exported functions. */
function serverActionsOnDisk(): { module: string; name: string; source: string }[] {
  const out: { module: string; name: string; source: string }[] = [];
  const visit = (dir: string) => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) {
        if (e.name !== "generated" && e.name !== "node_modules") visit(rel);
      } else if (/\.(ts|tsx)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) {
        const source = readFileSync(path.join(ROOT, rel), "utf8");
        if (!/^\s*(\/\/[^\n]*\n\s*)*["']use server["']/.test(source)) continue;
        for (const m of source.matchAll(/export\s+(?:async\s+)?function\s+(\w+)/g)) out.push({ module: rel, name: m[1], source });
        for (const m of source.matchAll(/export\s+const\s+(\w+)/g)) out.push({ module: rel, name: m[1], source });
      }
    }
  };
  for (const dir of ["app", "lib", "components"]) visit(dir);
  return out;
}

describe("access registry", () => {
  it("lists exactly the server actions that exist, each guarded by requireAction of its listed page", () => {
    const disk = serverActionsOnDisk();
    expect(ACTIONS.map((a) => `${a.module} ${a.name}`).sort()).toEqual(disk.map((a) => `${a.module} ${a.name}`).sort());
    for (const a of ACTIONS) {
      const { source } = disk.find((d) => d.module === a.module && d.name === a.name)!;
      const body = source.slice(source.indexOf(`function ${a.name}`)).split(/\nexport /)[0];
      expect(body, `${a.name} checks the caller's role`).toContain(`requireAction("${a.route}")`);
    }
  });

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
