// npm run db:seed: loads the demo data (CoCoNot taxonomy, datasets, reference and preference runs,
// demo users) into the configured database. Idempotent.
import { describeDatabase, runCli } from "../scripts/cli";
import { printSeedReport } from "../scripts/seed-report";
import { seedDemo } from "../lib/demo/seed";

await runCli(async ({ db }) => {
  console.log(`Loading the demo data into ${describeDatabase()} …`);
  printSeedReport(await seedDemo(db));
});
