-- Exact aggregates, one row per cell: JudgeVerdictCount and HumanVerdictCount had one row per cell
-- AND verdict (and source), so Results grouped ~80k rows over four text keys on every request
-- (~200 ms at 1M responses). JudgeCellCount and HumanCellCount hold the same numbers with the verdicts
-- (and sources) pivoted into columns: Results reads one row per cell and needs no GROUP BY.
-- The concurrency design of `exact_aggregates` is kept: label triggers lock the affected Response rows
-- (FOR NO KEY UPDATE, in id order) before they touch a count, in the label's own transaction. Two
-- tightenings: a judge-label UPDATE locks its old and new responses in one ordered pass, and judge
-- count rows are written in key order, so concurrent bulk statements meet them in the same order.

-- No label may change while the counts are rebuilt: a write committed by another instance between the
-- backfill's snapshot and this commit would go uncounted. Readers are not blocked.
LOCK TABLE "JudgeLabel", "HumanLabel", "Adjudication" IN SHARE MODE;

-- DropTable
DROP TABLE "HumanVerdictCount";

-- DropTable
DROP TABLE "JudgeVerdictCount";

-- CreateTable
CREATE TABLE "JudgeCellCount" (
    "judgeId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "datasetId" TEXT NOT NULL,
    "subcategoryId" TEXT NOT NULL,
    "expectation" "Expectation" NOT NULL,
    "complied" INTEGER NOT NULL DEFAULT 0,
    "noncompliant" INTEGER NOT NULL DEFAULT 0,
    "partial" INTEGER NOT NULL DEFAULT 0,
    "unclear" INTEGER NOT NULL DEFAULT 0,
    "coveredComplied" INTEGER NOT NULL DEFAULT 0,
    "coveredNoncompliant" INTEGER NOT NULL DEFAULT 0,
    "coveredPartial" INTEGER NOT NULL DEFAULT 0,
    "coveredUnclear" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "JudgeCellCount_pkey" PRIMARY KEY ("judgeId","runId","datasetId","subcategoryId","expectation")
);

-- CreateTable
CREATE TABLE "HumanCellCount" (
    "runId" TEXT NOT NULL,
    "datasetId" TEXT NOT NULL,
    "subcategoryId" TEXT NOT NULL,
    "expectation" "Expectation" NOT NULL,
    "adjudicatedComplied" INTEGER NOT NULL DEFAULT 0,
    "adjudicatedNoncompliant" INTEGER NOT NULL DEFAULT 0,
    "adjudicatedPartial" INTEGER NOT NULL DEFAULT 0,
    "adjudicatedUnclear" INTEGER NOT NULL DEFAULT 0,
    "consensusComplied" INTEGER NOT NULL DEFAULT 0,
    "consensusNoncompliant" INTEGER NOT NULL DEFAULT 0,
    "consensusPartial" INTEGER NOT NULL DEFAULT 0,
    "consensusUnclear" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "HumanCellCount_pkey" PRIMARY KEY ("runId","datasetId","subcategoryId","expectation")
);

-- ===================================================================================================
-- Judge labels: statement-level, so a bulk insert of N labels costs one aggregate, not N upserts.
-- ===================================================================================================
CREATE OR REPLACE FUNCTION abstain_judge_label_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed text;
BEGIN
  -- The changed labels as (judgeId, responseId, verdict, d): d = +1 for a label added, -1 for one
  -- removed. An UPDATE is both, so a verdict change is one net write per cell, and an update that
  -- changes no verdict (a rationale) writes nothing. EXECUTE, because a static query may not name a
  -- transition table that this event does not have.
  changed := CASE TG_OP
    WHEN 'INSERT' THEN 'SELECT "judgeId", "responseId", verdict, 1 AS d FROM new_rows'
    WHEN 'DELETE' THEN 'SELECT "judgeId", "responseId", verdict, -1 AS d FROM old_rows'
    ELSE 'SELECT "judgeId", "responseId", verdict, -1 AS d FROM old_rows
          UNION ALL SELECT "judgeId", "responseId", verdict, 1 FROM new_rows'
  END;
  -- Every affected response, old and new, in one pass in id order: no deadlock between bulk writers.
  EXECUTE format('SELECT 1 FROM "Response" r WHERE r.id IN (SELECT l."responseId" FROM (%s) l) ORDER BY r.id FOR NO KEY UPDATE', changed);
  -- Net change per (judge, cell), applied in key order so concurrent statements lock count rows in the
  -- same order. `covered` follows the response's human final verdict, stable under the lock above.
  EXECUTE format($sql$
    INSERT INTO "JudgeCellCount" AS c ("judgeId", "runId", "datasetId", "subcategoryId", "expectation",
      "complied", "noncompliant", "partial", "unclear", "coveredComplied", "coveredNoncompliant", "coveredPartial", "coveredUnclear")
    SELECT * FROM (
      SELECT l."judgeId", r."runId", p."datasetId", p."subcategoryId", p."expectation",
           coalesce(sum(l.d) FILTER (WHERE l.verdict = 'complied'), 0) AS "complied",
           coalesce(sum(l.d) FILTER (WHERE l.verdict = 'noncompliant'), 0) AS "noncompliant",
           coalesce(sum(l.d) FILTER (WHERE l.verdict = 'partial'), 0) AS "partial",
           coalesce(sum(l.d) FILTER (WHERE l.verdict = 'unclear'), 0) AS "unclear",
           coalesce(sum(l.d) FILTER (WHERE l.verdict = 'complied' AND f."responseId" IS NOT NULL), 0) AS "coveredComplied",
           coalesce(sum(l.d) FILTER (WHERE l.verdict = 'noncompliant' AND f."responseId" IS NOT NULL), 0) AS "coveredNoncompliant",
           coalesce(sum(l.d) FILTER (WHERE l.verdict = 'partial' AND f."responseId" IS NOT NULL), 0) AS "coveredPartial",
           coalesce(sum(l.d) FILTER (WHERE l.verdict = 'unclear' AND f."responseId" IS NOT NULL), 0) AS "coveredUnclear"
      FROM (%s) l JOIN "Response" r ON r.id = l."responseId" JOIN "Prompt" p ON p.id = r."promptId"
      LEFT JOIN "ResponseHumanFinal" f ON f."responseId" = l."responseId"
      GROUP BY 1, 2, 3, 4, 5
    ) d
    WHERE (d."complied", d."noncompliant", d."partial", d."unclear",
           d."coveredComplied", d."coveredNoncompliant", d."coveredPartial", d."coveredUnclear") <> (0, 0, 0, 0, 0, 0, 0, 0)
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ("judgeId", "runId", "datasetId", "subcategoryId", "expectation") DO UPDATE SET
      "complied" = c."complied" + EXCLUDED."complied",
      "noncompliant" = c."noncompliant" + EXCLUDED."noncompliant",
      "partial" = c."partial" + EXCLUDED."partial",
      "unclear" = c."unclear" + EXCLUDED."unclear",
      "coveredComplied" = c."coveredComplied" + EXCLUDED."coveredComplied",
      "coveredNoncompliant" = c."coveredNoncompliant" + EXCLUDED."coveredNoncompliant",
      "coveredPartial" = c."coveredPartial" + EXCLUDED."coveredPartial",
      "coveredUnclear" = c."coveredUnclear" + EXCLUDED."coveredUnclear"
  $sql$, changed);
  RETURN NULL;
END $$;

-- ===================================================================================================
-- The human final verdict of one response: adjudicated, else a strict majority of current human
-- labels, else none. Moves the response between the (source, verdict) columns of its HumanCellCount
-- row, and moves its judge labels in or out of `covered` when it gains or loses a human final verdict.
-- Called by the HumanLabel and Adjudication row triggers of `exact_aggregates` (unchanged).
-- ===================================================================================================
CREATE OR REPLACE FUNCTION abstain_refresh_human_final(rid text) RETURNS void LANGUAGE plpgsql AS $$
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
  flip int;
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

  -- -1 in the old (source, verdict) column, +1 in the new one; a missing side adds nothing.
  INSERT INTO "HumanCellCount" AS c ("runId", "datasetId", "subcategoryId", "expectation",
    "adjudicatedComplied", "adjudicatedNoncompliant", "adjudicatedPartial", "adjudicatedUnclear",
    "consensusComplied", "consensusNoncompliant", "consensusPartial", "consensusUnclear")
  SELECT cell."runId", cell."datasetId", cell."subcategoryId", cell."expectation",
    coalesce(sum(x.d) FILTER (WHERE x.s = 'adjudicated' AND x.v = 'complied'), 0),
    coalesce(sum(x.d) FILTER (WHERE x.s = 'adjudicated' AND x.v = 'noncompliant'), 0),
    coalesce(sum(x.d) FILTER (WHERE x.s = 'adjudicated' AND x.v = 'partial'), 0),
    coalesce(sum(x.d) FILTER (WHERE x.s = 'adjudicated' AND x.v = 'unclear'), 0),
    coalesce(sum(x.d) FILTER (WHERE x.s = 'consensus' AND x.v = 'complied'), 0),
    coalesce(sum(x.d) FILTER (WHERE x.s = 'consensus' AND x.v = 'noncompliant'), 0),
    coalesce(sum(x.d) FILTER (WHERE x.s = 'consensus' AND x.v = 'partial'), 0),
    coalesce(sum(x.d) FILTER (WHERE x.s = 'consensus' AND x.v = 'unclear'), 0)
  FROM (VALUES (old_source, old_verdict, -1), (new_source, new_verdict, 1)) x(s, v, d)
  ON CONFLICT ("runId", "datasetId", "subcategoryId", "expectation") DO UPDATE SET
    "adjudicatedComplied" = c."adjudicatedComplied" + EXCLUDED."adjudicatedComplied",
    "adjudicatedNoncompliant" = c."adjudicatedNoncompliant" + EXCLUDED."adjudicatedNoncompliant",
    "adjudicatedPartial" = c."adjudicatedPartial" + EXCLUDED."adjudicatedPartial",
    "adjudicatedUnclear" = c."adjudicatedUnclear" + EXCLUDED."adjudicatedUnclear",
    "consensusComplied" = c."consensusComplied" + EXCLUDED."consensusComplied",
    "consensusNoncompliant" = c."consensusNoncompliant" + EXCLUDED."consensusNoncompliant",
    "consensusPartial" = c."consensusPartial" + EXCLUDED."consensusPartial",
    "consensusUnclear" = c."consensusUnclear" + EXCLUDED."consensusUnclear";

  IF had_final AND new_verdict IS NOT NULL THEN
    UPDATE "ResponseHumanFinal" SET verdict = new_verdict, source = new_source WHERE "responseId" = rid;
    RETURN;
  END IF;
  IF new_verdict IS NOT NULL THEN
    INSERT INTO "ResponseHumanFinal" ("responseId", "verdict", "source", "runId", "datasetId", "subcategoryId", "expectation")
    VALUES (rid, new_verdict, new_source, cell."runId", cell."datasetId", cell."subcategoryId", cell."expectation");
    flip := 1;
  ELSE
    DELETE FROM "ResponseHumanFinal" WHERE "responseId" = rid;
    flip := -1;
  END IF;
  -- The response's judge labels (at most one per judge) enter or leave `covered`.
  UPDATE "JudgeCellCount" c SET
      "coveredComplied" = c."coveredComplied" + CASE WHEN l.verdict = 'complied' THEN flip ELSE 0 END,
      "coveredNoncompliant" = c."coveredNoncompliant" + CASE WHEN l.verdict = 'noncompliant' THEN flip ELSE 0 END,
      "coveredPartial" = c."coveredPartial" + CASE WHEN l.verdict = 'partial' THEN flip ELSE 0 END,
      "coveredUnclear" = c."coveredUnclear" + CASE WHEN l.verdict = 'unclear' THEN flip ELSE 0 END
  FROM "JudgeLabel" l
  WHERE l."responseId" = rid AND c."judgeId" = l."judgeId" AND c."runId" = cell."runId"
    AND c."datasetId" = cell."datasetId" AND c."subcategoryId" = cell."subcategoryId" AND c."expectation" = cell."expectation";
END $$;

-- ===================================================================================================
-- Backfill from the labels (ResponseHumanFinal is kept: the same triggers maintain it, and the DB test
-- checks it against a recomputation from HumanLabel and Adjudication).
-- ===================================================================================================
INSERT INTO "HumanCellCount" ("runId", "datasetId", "subcategoryId", "expectation",
    "adjudicatedComplied", "adjudicatedNoncompliant", "adjudicatedPartial", "adjudicatedUnclear",
    "consensusComplied", "consensusNoncompliant", "consensusPartial", "consensusUnclear")
SELECT "runId", "datasetId", "subcategoryId", "expectation",
       count(*) FILTER (WHERE source = 'adjudicated' AND verdict = 'complied')::int,
       count(*) FILTER (WHERE source = 'adjudicated' AND verdict = 'noncompliant')::int,
       count(*) FILTER (WHERE source = 'adjudicated' AND verdict = 'partial')::int,
       count(*) FILTER (WHERE source = 'adjudicated' AND verdict = 'unclear')::int,
       count(*) FILTER (WHERE source = 'consensus' AND verdict = 'complied')::int,
       count(*) FILTER (WHERE source = 'consensus' AND verdict = 'noncompliant')::int,
       count(*) FILTER (WHERE source = 'consensus' AND verdict = 'partial')::int,
       count(*) FILTER (WHERE source = 'consensus' AND verdict = 'unclear')::int
FROM "ResponseHumanFinal" GROUP BY 1, 2, 3, 4;

INSERT INTO "JudgeCellCount" ("judgeId", "runId", "datasetId", "subcategoryId", "expectation",
    "complied", "noncompliant", "partial", "unclear", "coveredComplied", "coveredNoncompliant", "coveredPartial", "coveredUnclear")
SELECT l."judgeId", r."runId", p."datasetId", p."subcategoryId", p."expectation",
       count(*) FILTER (WHERE l.verdict = 'complied')::int,
       count(*) FILTER (WHERE l.verdict = 'noncompliant')::int,
       count(*) FILTER (WHERE l.verdict = 'partial')::int,
       count(*) FILTER (WHERE l.verdict = 'unclear')::int,
       count(f."responseId") FILTER (WHERE l.verdict = 'complied')::int,
       count(f."responseId") FILTER (WHERE l.verdict = 'noncompliant')::int,
       count(f."responseId") FILTER (WHERE l.verdict = 'partial')::int,
       count(f."responseId") FILTER (WHERE l.verdict = 'unclear')::int
FROM "JudgeLabel" l JOIN "Response" r ON r.id = l."responseId" JOIN "Prompt" p ON p.id = r."promptId"
LEFT JOIN "ResponseHumanFinal" f ON f."responseId" = l."responseId"
GROUP BY 1, 2, 3, 4, 5;
