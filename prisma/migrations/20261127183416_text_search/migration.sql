-- Trigram indexes for Browse text search (ILIKE %term%). pg_trgm ships with PostgreSQL (contrib) and
-- with PGlite (loaded in lib/db.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateIndex
CREATE INDEX "Prompt_text_idx" ON "Prompt" USING GIN ("text" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Response_text_idx" ON "Response" USING GIN ("text" gin_trgm_ops);
