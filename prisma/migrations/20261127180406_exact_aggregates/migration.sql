-- CreateEnum
CREATE TYPE "FinalSource" AS ENUM ('adjudicated', 'consensus');

-- CreateTable
CREATE TABLE "ResponseHumanFinal" (
    "responseId" TEXT NOT NULL,
    "verdict" "Verdict" NOT NULL,
    "source" "FinalSource" NOT NULL,
    "runId" TEXT NOT NULL,
    "datasetId" TEXT NOT NULL,
    "subcategoryId" TEXT NOT NULL,
    "expectation" "Expectation" NOT NULL,

    CONSTRAINT "ResponseHumanFinal_pkey" PRIMARY KEY ("responseId")
);

-- CreateTable
CREATE TABLE "JudgeVerdictCount" (
    "judgeId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "datasetId" TEXT NOT NULL,
    "subcategoryId" TEXT NOT NULL,
    "expectation" "Expectation" NOT NULL,
    "verdict" "Verdict" NOT NULL,
    "n" INTEGER NOT NULL DEFAULT 0,
    "covered" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "JudgeVerdictCount_pkey" PRIMARY KEY ("judgeId","runId","datasetId","subcategoryId","expectation","verdict")
);

-- CreateTable
CREATE TABLE "HumanVerdictCount" (
    "runId" TEXT NOT NULL,
    "datasetId" TEXT NOT NULL,
    "subcategoryId" TEXT NOT NULL,
    "expectation" "Expectation" NOT NULL,
    "source" "FinalSource" NOT NULL,
    "verdict" "Verdict" NOT NULL,
    "n" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "HumanVerdictCount_pkey" PRIMARY KEY ("runId","datasetId","subcategoryId","expectation","source","verdict")
);

-- CreateIndex
CREATE INDEX "ResponseHumanFinal_runId_subcategoryId_idx" ON "ResponseHumanFinal"("runId", "subcategoryId");

-- CreateIndex
CREATE INDEX "JudgeVerdictCount_runId_idx" ON "JudgeVerdictCount"("runId");

-- ===================================================================================================
-- Exact aggregates: triggers keep ResponseHumanFinal, HumanVerdictCount and JudgeVerdictCount equal to
-- a recomputation from the label tables, in the same transaction as every label change.
-- Concurrency: every path that changes a response's counts first takes FOR NO KEY UPDATE on that
-- Response row (it does not conflict with the KEY SHARE locks of foreign-key checks), so a judge label
-- and a human final verdict of the same response never interleave. Bulk judge-label writes lock their
-- responses in id order to avoid deadlocks.
-- ===================================================================================================

-- The aggregates key on a prompt's dataset, subcategory and expectation and a response's run: those
-- never change once stored.
CREATE FUNCTION abstain_freeze_prompt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."datasetId" IS DISTINCT FROM OLD."datasetId" OR NEW."subcategoryId" IS DISTINCT FROM OLD."subcategoryId"
     OR NEW."expectation" IS DISTINCT FROM OLD."expectation" THEN
    RAISE EXCEPTION 'prompt %: dataset, subcategory and expectation cannot change once stored', OLD.id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER prompt_freeze BEFORE UPDATE ON "Prompt" FOR EACH ROW EXECUTE FUNCTION abstain_freeze_prompt();

CREATE FUNCTION abstain_freeze_response() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."runId" IS DISTINCT FROM OLD."runId" OR NEW."promptId" IS DISTINCT FROM OLD."promptId" THEN
    RAISE EXCEPTION 'response %: run and prompt cannot change once stored', OLD.id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER response_freeze BEFORE UPDATE ON "Response" FOR EACH ROW EXECUTE FUNCTION abstain_freeze_response();

-- Judge labels: statement-level, so a bulk insert of N labels costs one aggregate, not N upserts.
CREATE FUNCTION abstain_judge_label_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    PERFORM 1 FROM "Response" r WHERE r.id IN (SELECT "responseId" FROM old_rows) ORDER BY r.id FOR NO KEY UPDATE;
    UPDATE "JudgeVerdictCount" c SET n = c.n - d.n, covered = c.covered - d.covered
    FROM (
      SELECT l."judgeId", r."runId", p."datasetId", p."subcategoryId", p."expectation", l."verdict",
             count(*)::int AS n, count(f."responseId")::int AS covered
      FROM old_rows l JOIN "Response" r ON r.id = l."responseId" JOIN "Prompt" p ON p.id = r."promptId"
      LEFT JOIN "ResponseHumanFinal" f ON f."responseId" = l."responseId"
      GROUP BY 1, 2, 3, 4, 5, 6
    ) d
    WHERE c."judgeId" = d."judgeId" AND c."runId" = d."runId" AND c."datasetId" = d."datasetId"
      AND c."subcategoryId" = d."subcategoryId" AND c."expectation" = d."expectation" AND c."verdict" = d."verdict";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM 1 FROM "Response" r WHERE r.id IN (SELECT "responseId" FROM new_rows) ORDER BY r.id FOR NO KEY UPDATE;
    INSERT INTO "JudgeVerdictCount" AS c ("judgeId", "runId", "datasetId", "subcategoryId", "expectation", "verdict", "n", "covered")
    SELECT l."judgeId", r."runId", p."datasetId", p."subcategoryId", p."expectation", l."verdict",
           count(*)::int, count(f."responseId")::int
    FROM new_rows l JOIN "Response" r ON r.id = l."responseId" JOIN "Prompt" p ON p.id = r."promptId"
    LEFT JOIN "ResponseHumanFinal" f ON f."responseId" = l."responseId"
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ("judgeId", "runId", "datasetId", "subcategoryId", "expectation", "verdict")
    DO UPDATE SET n = c.n + EXCLUDED.n, covered = c.covered + EXCLUDED.covered;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER judge_label_counts_ins AFTER INSERT ON "JudgeLabel"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION abstain_judge_label_counts();
CREATE TRIGGER judge_label_counts_upd AFTER UPDATE ON "JudgeLabel"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION abstain_judge_label_counts();
CREATE TRIGGER judge_label_counts_del AFTER DELETE ON "JudgeLabel"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION abstain_judge_label_counts();

-- The human final verdict of one response: adjudicated, else a strict majority of current human
-- labels, else none. Moves the response between HumanVerdictCount cells and flips `covered` on its
-- judge labels when it gains or loses a human final verdict.
CREATE FUNCTION abstain_refresh_human_final(rid text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  cell record;
  old_verdict "Verdict";
  old_source "FinalSource";
  had_final boolean;
  new_verdict "Verdict";
  new_source "FinalSource";
  total int;
  top_n int;
  top_v "Verdict";
BEGIN
  SELECT r."runId", p."datasetId", p."subcategoryId", p."expectation" INTO cell
  FROM "Response" r JOIN "Prompt" p ON p.id = r."promptId" WHERE r.id = rid FOR NO KEY UPDATE OF r;
  IF NOT FOUND THEN RETURN; END IF;

  SELECT f.verdict, f.source INTO old_verdict, old_source FROM "ResponseHumanFinal" f WHERE f."responseId" = rid;
  had_final := FOUND;

  SELECT a.verdict INTO new_verdict FROM "Adjudication" a WHERE a."responseId" = rid;
  IF FOUND THEN
    new_source := 'adjudicated';
  ELSE
    SELECT count(*)::int INTO total FROM "HumanLabel" h WHERE h."responseId" = rid;
    SELECT h.verdict, count(*)::int INTO top_v, top_n FROM "HumanLabel" h WHERE h."responseId" = rid
    GROUP BY h.verdict ORDER BY count(*) DESC LIMIT 1;
    IF top_n IS NOT NULL AND top_n * 2 > total THEN
      new_verdict := top_v;
      new_source := 'consensus';
    END IF;
  END IF;

  IF had_final AND new_verdict IS NOT NULL AND old_verdict = new_verdict AND old_source = new_source THEN RETURN; END IF;
  IF NOT had_final AND new_verdict IS NULL THEN RETURN; END IF;

  IF had_final THEN
    UPDATE "HumanVerdictCount" SET n = n - 1
    WHERE "runId" = cell."runId" AND "datasetId" = cell."datasetId" AND "subcategoryId" = cell."subcategoryId"
      AND "expectation" = cell."expectation" AND "source" = old_source AND "verdict" = old_verdict;
  END IF;
  IF new_verdict IS NOT NULL THEN
    INSERT INTO "HumanVerdictCount" AS c ("runId", "datasetId", "subcategoryId", "expectation", "source", "verdict", "n")
    VALUES (cell."runId", cell."datasetId", cell."subcategoryId", cell."expectation", new_source, new_verdict, 1)
    ON CONFLICT ("runId", "datasetId", "subcategoryId", "expectation", "source", "verdict") DO UPDATE SET n = c.n + 1;
  END IF;

  IF had_final AND new_verdict IS NOT NULL THEN
    UPDATE "ResponseHumanFinal" SET verdict = new_verdict, source = new_source WHERE "responseId" = rid;
  ELSIF new_verdict IS NOT NULL THEN
    INSERT INTO "ResponseHumanFinal" ("responseId", "verdict", "source", "runId", "datasetId", "subcategoryId", "expectation")
    VALUES (rid, new_verdict, new_source, cell."runId", cell."datasetId", cell."subcategoryId", cell."expectation");
    UPDATE "JudgeVerdictCount" c SET covered = c.covered + 1 FROM "JudgeLabel" l
    WHERE l."responseId" = rid AND c."judgeId" = l."judgeId" AND c."verdict" = l."verdict" AND c."runId" = cell."runId"
      AND c."datasetId" = cell."datasetId" AND c."subcategoryId" = cell."subcategoryId" AND c."expectation" = cell."expectation";
  ELSE
    DELETE FROM "ResponseHumanFinal" WHERE "responseId" = rid;
    UPDATE "JudgeVerdictCount" c SET covered = c.covered - 1 FROM "JudgeLabel" l
    WHERE l."responseId" = rid AND c."judgeId" = l."judgeId" AND c."verdict" = l."verdict" AND c."runId" = cell."runId"
      AND c."datasetId" = cell."datasetId" AND c."subcategoryId" = cell."subcategoryId" AND c."expectation" = cell."expectation";
  END IF;
END $$;

CREATE FUNCTION abstain_human_final_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM abstain_refresh_human_final(NEW."responseId");
  ELSE
    PERFORM abstain_refresh_human_final(OLD."responseId");
    IF TG_OP = 'UPDATE' AND NEW."responseId" <> OLD."responseId" THEN
      PERFORM abstain_refresh_human_final(NEW."responseId");
    END IF;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER human_label_final AFTER INSERT OR DELETE OR UPDATE OF "verdict", "responseId" ON "HumanLabel"
  FOR EACH ROW EXECUTE FUNCTION abstain_human_final_trigger();
CREATE TRIGGER adjudication_final AFTER INSERT OR DELETE OR UPDATE OF "verdict", "responseId" ON "Adjudication"
  FOR EACH ROW EXECUTE FUNCTION abstain_human_final_trigger();

-- Backfill from labels stored before this migration.
INSERT INTO "ResponseHumanFinal" ("responseId", "verdict", "source", "runId", "datasetId", "subcategoryId", "expectation")
SELECT r.id, f.verdict, f.source, r."runId", p."datasetId", p."subcategoryId", p."expectation"
FROM (
  SELECT a."responseId", a.verdict, 'adjudicated'::"FinalSource" AS source FROM "Adjudication" a
  UNION ALL
  SELECT x."responseId", x.verdict, 'consensus'::"FinalSource" FROM (
    SELECT h."responseId", h.verdict, count(*) AS n, sum(count(*)) OVER (PARTITION BY h."responseId") AS total
    FROM "HumanLabel" h GROUP BY h."responseId", h.verdict
  ) x
  WHERE x.n * 2 > x.total AND NOT EXISTS (SELECT 1 FROM "Adjudication" a WHERE a."responseId" = x."responseId")
) f
JOIN "Response" r ON r.id = f."responseId" JOIN "Prompt" p ON p.id = r."promptId";

INSERT INTO "HumanVerdictCount" ("runId", "datasetId", "subcategoryId", "expectation", "source", "verdict", "n")
SELECT "runId", "datasetId", "subcategoryId", "expectation", "source", "verdict", count(*)::int
FROM "ResponseHumanFinal" GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO "JudgeVerdictCount" ("judgeId", "runId", "datasetId", "subcategoryId", "expectation", "verdict", "n", "covered")
SELECT l."judgeId", r."runId", p."datasetId", p."subcategoryId", p."expectation", l."verdict", count(*)::int, count(f."responseId")::int
FROM "JudgeLabel" l JOIN "Response" r ON r.id = l."responseId" JOIN "Prompt" p ON p.id = r."promptId"
LEFT JOIN "ResponseHumanFinal" f ON f."responseId" = l."responseId"
GROUP BY 1, 2, 3, 4, 5, 6;
