import { DEMO_USERS, type SeedReport } from "../lib/demo/seed";

export function printSeedReport(r: SeedReport): void {
  for (const [slug, p] of Object.entries(r.prompts)) console.log(`  prompts   ${slug}: ${p.created} new, ${p.unchanged} already stored`);
  for (const [run, x] of Object.entries(r.responses)) console.log(`  responses ${run}: ${x.created} new, ${x.existing} already stored`);
  for (const s of r.skippedEmptyResponses) {
    if (s.ids.length) console.log(`  skipped   ${s.ids.length} record(s) with an empty response in ${s.file} (ids: ${s.ids.slice(0, 5).join(", ")}${s.ids.length > 5 ? ", …" : ""})`);
  }
  console.log(`  labels    ${r.judgeLabelsCreated} new judge label(s) (preference-pair references and the heuristic judge); rubric versions created: ${r.rubricVersionsCreated}`);
  console.log(`  users     ${r.usersCreated.length ? `${r.usersCreated.length} created` : "already present"}`);
  console.log("\nDemo sign-in (change these before sharing the app):");
  for (const u of DEMO_USERS) console.log(`  ${u.role.padEnd(10)} ${u.email.padEnd(26)} ${u.password}`);
}
