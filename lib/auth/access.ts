// Every page and API route, with the roles it allows. The single source for authorization checks
// (requirePage / apiRoute), the navigation, and the route × role test that compares this list with
// the files under app/ (lib/auth/access.test.ts) and probes each entry over HTTP (e2e/access.spec.ts).
// Client-safe: no I/O.
import type { RoleName } from "../users/schema";

export const ALL_ROLES: readonly RoleName[] = ["admin", "researcher", "annotator"];

export type Access = readonly RoleName[] | "public";

export interface PageRoute {
  kind: "page";
  path: string; // as in the app/ tree, route groups removed, e.g. "/admin/users"
  roles: Access;
  nav?: { label: string; order: number };
}

export interface ApiRoute {
  kind: "api";
  path: string; // e.g. "/api/users/[id]"
  methods: readonly ("GET" | "POST" | "PATCH" | "PUT" | "DELETE")[];
  roles: Access;
}

export type RouteEntry = PageRoute | ApiRoute;

export const ROUTES = [
  { kind: "page", path: "/login", roles: "public" },
  { kind: "page", path: "/", roles: ALL_ROLES, nav: { label: "Overview", order: 0 } },
  { kind: "page", path: "/results", roles: ["admin", "researcher"], nav: { label: "Results", order: 1 } },
  { kind: "page", path: "/browse", roles: ["admin", "researcher"], nav: { label: "Browse", order: 2 } },
  { kind: "page", path: "/browse/[id]", roles: ["admin", "researcher"] },
  { kind: "page", path: "/import", roles: ["admin", "researcher"], nav: { label: "Import", order: 3 } },
  { kind: "page", path: "/agreement", roles: ["admin", "researcher"], nav: { label: "Agreement", order: 4 } },
  { kind: "page", path: "/taxonomy", roles: ALL_ROLES, nav: { label: "Taxonomy", order: 5 } },
  { kind: "page", path: "/jobs", roles: ["admin", "researcher"], nav: { label: "Jobs", order: 6 } },
  { kind: "api", path: "/api/jobs", methods: ["GET", "POST"], roles: ["admin", "researcher"] },
  { kind: "api", path: "/api/jobs/[id]", methods: ["GET", "DELETE"], roles: ["admin", "researcher"] },
  { kind: "page", path: "/queues", roles: ALL_ROLES, nav: { label: "Queues", order: 0.5 } },
  { kind: "page", path: "/queues/[id]", roles: ALL_ROLES },
  { kind: "page", path: "/adjudicate", roles: ["admin", "researcher"], nav: { label: "Adjudicate", order: 4.5 } },
  { kind: "page", path: "/admin/users", roles: ["admin"], nav: { label: "Users", order: 9 } },
  { kind: "api", path: "/api/auth/[...nextauth]", methods: ["GET", "POST"], roles: "public" },
  { kind: "api", path: "/api/health", methods: ["GET"], roles: "public" },
  { kind: "api", path: "/api/overview", methods: ["GET"], roles: ALL_ROLES },
  { kind: "api", path: "/api/imports", methods: ["POST"], roles: ["admin", "researcher"] },
  { kind: "api", path: "/api/imports/preview", methods: ["POST"], roles: ["admin", "researcher"] },
  { kind: "api", path: "/api/exports", methods: ["GET"], roles: ["admin", "researcher"] },
  { kind: "api", path: "/api/queues", methods: ["GET", "POST"], roles: ["admin", "researcher"] },
  { kind: "api", path: "/api/queues/[id]", methods: ["GET", "PATCH"], roles: ["admin", "researcher"] },
  { kind: "api", path: "/api/queues/[id]/claim", methods: ["POST"], roles: ALL_ROLES },
  { kind: "api", path: "/api/queues/[id]/labels", methods: ["POST", "DELETE"], roles: ALL_ROLES },
  { kind: "api", path: "/api/queues/[id]/skip", methods: ["POST"], roles: ALL_ROLES },
  { kind: "api", path: "/api/adjudications", methods: ["POST"], roles: ["admin", "researcher"] },
  { kind: "api", path: "/api/users", methods: ["GET", "POST"], roles: ["admin"] },
  { kind: "api", path: "/api/users/[id]", methods: ["PATCH"], roles: ["admin"] },
  { kind: "page", path: "/admin/settings", roles: ["admin"], nav: { label: "Settings", order: 10 } },
  { kind: "api", path: "/api/settings/llm", methods: ["GET", "PUT"], roles: ["admin"] },
  { kind: "api", path: "/api/taxonomy/rubrics/[subcategoryId]", methods: ["PUT"], roles: ["admin"] },
] as const satisfies readonly RouteEntry[];

export type RoutePath = (typeof ROUTES)[number]["path"];

/**
 * Every server action, with the page whose roles it enforces (requireAction(route) in its body). A server
 * action is a public POST endpoint under its page's URL, so it is listed and probed like a route: a unit
 * test keeps this list equal to the "use server" modules' exports, e2e/access.spec.ts calls each one over
 * HTTP with every role it does not allow.
 */
export const ACTIONS = [
  { module: "lib/users/actions.ts", name: "createUserAction", route: "/admin/users" },
  { module: "lib/users/actions.ts", name: "updateUserAction", route: "/admin/users" },
  { module: "lib/settings/actions.ts", name: "testLlmConnectionAction", route: "/admin/settings" },
] as const satisfies readonly { module: string; name: string; route: RoutePath }[];

export function routeEntry(path: RoutePath): RouteEntry {
  const e = ROUTES.find((r) => r.path === path);
  if (!e) throw new Error(`No access entry for ${path}`);
  return e;
}

export function allows(access: Access, role: RoleName | null): boolean {
  if (access === "public") return true;
  return role !== null && access.includes(role);
}

/** The navigation a role sees: only pages it may open. */
export function navFor(role: RoleName): { path: string; label: string }[] {
  return ROUTES.filter((r): r is Extract<(typeof ROUTES)[number], { nav: object }> => "nav" in r && allows(r.roles, role))
    .sort((a, b) => a.nav.order - b.nav.order)
    .map((r) => ({ path: r.path, label: r.nav.label }));
}
