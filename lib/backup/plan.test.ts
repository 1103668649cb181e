import { describe, expect, it } from "vitest";
import {
  backupFileName,
  parseBackupArgs,
  parseRestoreArgs,
  parseServerMajor,
  parseToolMajor,
  splitPassword,
  timestamp,
  toolVersionProblem,
} from "./plan";

describe("arguments", () => {
  it("backup takes an optional --out", () => {
    expect(parseBackupArgs([])).toEqual({ out: undefined });
    expect(parseBackupArgs(["--out", "x/y.dump"])).toEqual({ out: "x/y.dump" });
    expect(parseBackupArgs(["--out=z.dump"])).toEqual({ out: "z.dump" });
  });

  it("backup rejects unknown options and an empty --out, with the usage", () => {
    expect(() => parseBackupArgs(["--file", "a"])).toThrow(/usage: npm run db:backup/);
    expect(() => parseBackupArgs(["--out", " "])).toThrow(/--out needs a file name/);
    expect(() => parseBackupArgs(["stray"])).toThrow(/usage/);
  });

  it("restore requires --file and defaults --yes to false", () => {
    expect(parseRestoreArgs(["--file", "b.dump"])).toEqual({ file: "b.dump", yes: false });
    expect(parseRestoreArgs(["--file", "b.dump", "--yes"])).toEqual({ file: "b.dump", yes: true });
    expect(() => parseRestoreArgs([])).toThrow(/--file is required/);
    expect(() => parseRestoreArgs(["--yes"])).toThrow(/--file is required/);
    expect(() => parseRestoreArgs(["--file", "b", "--force"])).toThrow(/usage: npm run db:restore/);
  });
});

describe("file names", () => {
  const at = new Date("2026-03-04T05:06:07.891Z");

  it("stamps UTC time without separators or milliseconds", () => {
    expect(timestamp(at)).toBe("20260304T050607Z");
  });

  it("names the file by database kind under backups/", () => {
    expect(backupFileName("postgresql", at)).toBe("backups/abstain-20260304T050607Z.dump");
    expect(backupFileName("pglite", at)).toBe("backups/abstain-20260304T050607Z.pglite.tar.gz");
    expect(backupFileName("postgresql", at, "/srv/b")).toBe("/srv/b/abstain-20260304T050607Z.dump");
  });

  it("sorts names in time order", () => {
    const names = [new Date("2026-12-01T00:00:00Z"), new Date("2026-02-10T23:59:59Z"), new Date("2025-12-31T12:00:00Z")].map((d) =>
      backupFileName("postgresql", d),
    );
    expect([...names].sort()).toEqual([names[2], names[1], names[0]]);
  });
});

describe("versions", () => {
  it("reads the major version of the client tools", () => {
    expect(parseToolMajor("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n")).toBe(15);
    expect(parseToolMajor("pg_restore (PostgreSQL) 17.2")).toBe(17);
    expect(parseToolMajor("pg_dump (PostgreSQL) 9.6.24")).toBe(9);
    expect(parseToolMajor("bash: pg_dump: command not found")).toBeNull();
  });

  it("reads the server's major version from server_version_num", () => {
    expect(parseServerMajor("150020")).toBe(15);
    expect(parseServerMajor(170002)).toBe(17);
    expect(parseServerMajor("90624")).toBe(9);
    expect(parseServerMajor("")).toBeNull();
    expect(parseServerMajor("abc")).toBeNull();
  });

  it("accepts tools as new as the server or newer, and explains older ones", () => {
    expect(toolVersionProblem("pg_dump", 15, 15)).toBeNull();
    expect(toolVersionProblem("pg_dump", 17, 15)).toBeNull();
    expect(toolVersionProblem("pg_dump", 14, 15)).toMatch(/pg_dump is version 14 but the server runs PostgreSQL 15.*postgresql-client-15/);
    expect(toolVersionProblem("pg_restore", null, 15)).toMatch(/could not tell the version of pg_restore/);
    expect(toolVersionProblem("pg_restore", 16, null)).toMatch(/server's PostgreSQL version/);
  });
});

describe("splitPassword", () => {
  it("takes the password out of the URL", () => {
    expect(splitPassword("postgresql://u:s%40cret@h:5433/db?sslmode=require")).toEqual({
      url: "postgresql://u@h:5433/db?sslmode=require",
      password: "s@cret",
    });
  });

  it("leaves a URL without a password alone", () => {
    expect(splitPassword("postgresql://postgres@127.0.0.1:5432/x")).toEqual({ url: "postgresql://postgres@127.0.0.1:5432/x" });
  });
});
