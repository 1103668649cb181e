// Demo sign-ins, printed by `npm run demo` and used by the browser tests. Pure data.
import type { RoleName } from "../users/schema";

export const DEMO_USERS: { email: string; name: string; role: RoleName; password: string }[] = [
  { email: "admin@abstain.local", name: "Ada Admin", role: "admin", password: "abstain-admin-demo" },
  { email: "researcher@abstain.local", name: "Rui Researcher", role: "researcher", password: "abstain-researcher-demo" },
  { email: "annotator1@abstain.local", name: "Ana Annotator", role: "annotator", password: "abstain-annotator1-demo" },
  { email: "annotator2@abstain.local", name: "Ben Annotator", role: "annotator", password: "abstain-annotator2-demo" },
];
