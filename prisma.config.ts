// Prisma CLI configuration: Migrate runs through the pg driver adapter and the WASM schema engine,
// so no engine binary is downloaded (see README, "Migrations").
import "dotenv/config";
import { defineConfig } from "prisma/config";
import { PrismaPgMigrate, pgConfig } from "./prisma/migrate-adapter";

export default defineConfig({
  experimental: { adapter: true },
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  engine: "js",
  adapter: async () => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: Prisma Migrate needs a PostgreSQL server (see README).");
    return new PrismaPgMigrate(pgConfig(url));
  },
});
