// npm run user:create -- --email a@b.org --name "Ada" --role admin [--password-stdin]
// Creates a user in the configured database: how a real deployment gets its first admin.
// Without --password-stdin the password is asked for on the terminal (not echoed).
import { parseArgs } from "node:util";
import { createInterface } from "node:readline";
import { describeDatabase, runCli } from "./cli";
import { createUser } from "../lib/users/data";
import { createUserSchema } from "../lib/users/schema";

const USAGE = 'usage: npm run user:create -- --email EMAIL --name "NAME" --role admin|researcher|annotator [--password-stdin]';

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    let data = "";
    for await (const chunk of process.stdin) data += chunk;
    return data.replace(/\r?\n$/, "");
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  // Hide typed characters: echo nothing after the question.
  const out = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WriteStream };
  const ask = (q: string) =>
    new Promise<string>((resolve) => {
      out._writeToOutput = (s: string) => {
        if (s.includes(q)) out.output.write(s);
      };
      rl.question(q, resolve);
    });
  const a = await ask("Password: ");
  process.stdout.write("\n");
  const b = await ask("Repeat password: ");
  process.stdout.write("\n");
  rl.close();
  if (a !== b) throw new Error("The two passwords differ.");
  return a;
}

let args;
try {
  args = parseArgs({
    options: {
      email: { type: "string" },
      name: { type: "string" },
      role: { type: "string" },
      "password-stdin": { type: "boolean", default: false },
    },
    strict: true,
  }).values;
} catch (err) {
  console.error(`error: ${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}

const password = await readPassword(args["password-stdin"] ?? false);
const parsed = createUserSchema.safeParse({ email: args.email, name: args.name, role: args.role, password });
if (!parsed.success) {
  for (const i of parsed.error.issues) console.error(`error: --${String(i.path[0])}: ${i.message}`);
  console.error(USAGE);
  process.exit(2);
}

await runCli(async ({ db }) => {
  const user = await createUser(db, parsed.data, null);
  console.log(`Created ${user.role} ${user.email} in ${describeDatabase()}.`);
});
