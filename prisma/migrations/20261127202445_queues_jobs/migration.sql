-- CreateEnum
CREATE TYPE "QueueStatus" AS ENUM ('open', 'closed');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "Queue" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "k" INTEGER NOT NULL,
    "blind" BOOLEAN NOT NULL DEFAULT true,
    "status" "QueueStatus" NOT NULL DEFAULT 'open',
    "rule" JSONB NOT NULL DEFAULT '{}',
    "itemCount" INTEGER NOT NULL DEFAULT 0,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Queue_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "QueueAssignee" (
    "queueId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,

    CONSTRAINT "QueueAssignee_pkey" PRIMARY KEY ("queueId","userId")
);

-- CreateTable
CREATE TABLE "QueueItem" (
    "id" TEXT NOT NULL,
    "queueId" TEXT NOT NULL,
    "responseId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "labelCount" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "QueueItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "QueueReservation" (
    "queueItemId" TEXT NOT NULL,
    "annotatorId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QueueReservation_pkey" PRIMARY KEY ("queueItemId","annotatorId")
);

-- CreateTable
CREATE TABLE "QueueLabel" (
    "queueItemId" TEXT NOT NULL,
    "annotatorId" TEXT NOT NULL,
    "humanLabelId" TEXT NOT NULL,
    "durationMs" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QueueLabel_pkey" PRIMARY KEY ("queueItemId","annotatorId")
);

-- CreateTable
CREATE TABLE "QueueSkip" (
    "queueItemId" TEXT NOT NULL,
    "annotatorId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QueueSkip_pkey" PRIMARY KEY ("queueItemId","annotatorId")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'queued',
    "params" JSONB NOT NULL,
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "cursor" TEXT,
    "result" JSONB,
    "error" TEXT,
    "cancelRequested" BOOLEAN NOT NULL DEFAULT false,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lockedBy" TEXT,
    "lockedUntil" TIMESTAMP(3),
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JobItemError" (
    "id" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "itemKey" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "JobItemError_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Setting" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedById" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Setting_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "QueueAssignee_userId_idx" ON "QueueAssignee"("userId");

-- CreateIndex
CREATE INDEX "QueueItem_responseId_idx" ON "QueueItem"("responseId");

-- CreateIndex
CREATE UNIQUE INDEX "QueueItem_queueId_responseId_key" ON "QueueItem"("queueId", "responseId");

-- CreateIndex
CREATE UNIQUE INDEX "QueueItem_queueId_position_key" ON "QueueItem"("queueId", "position");

-- CreateIndex
CREATE INDEX "QueueReservation_annotatorId_expiresAt_idx" ON "QueueReservation"("annotatorId", "expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "QueueLabel_humanLabelId_key" ON "QueueLabel"("humanLabelId");

-- CreateIndex
CREATE INDEX "QueueLabel_annotatorId_createdAt_idx" ON "QueueLabel"("annotatorId", "createdAt");

-- CreateIndex
CREATE INDEX "Job_status_createdAt_idx" ON "Job"("status", "createdAt");

-- CreateIndex
CREATE INDEX "JobItemError_jobId_idx" ON "JobItemError"("jobId");

-- AddForeignKey
ALTER TABLE "Queue" ADD CONSTRAINT "Queue_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueAssignee" ADD CONSTRAINT "QueueAssignee_queueId_fkey" FOREIGN KEY ("queueId") REFERENCES "Queue"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueAssignee" ADD CONSTRAINT "QueueAssignee_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueItem" ADD CONSTRAINT "QueueItem_queueId_fkey" FOREIGN KEY ("queueId") REFERENCES "Queue"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueItem" ADD CONSTRAINT "QueueItem_responseId_fkey" FOREIGN KEY ("responseId") REFERENCES "Response"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueReservation" ADD CONSTRAINT "QueueReservation_queueItemId_fkey" FOREIGN KEY ("queueItemId") REFERENCES "QueueItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueLabel" ADD CONSTRAINT "QueueLabel_queueItemId_fkey" FOREIGN KEY ("queueItemId") REFERENCES "QueueItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueLabel" ADD CONSTRAINT "QueueLabel_humanLabelId_fkey" FOREIGN KEY ("humanLabelId") REFERENCES "HumanLabel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QueueSkip" ADD CONSTRAINT "QueueSkip_queueItemId_fkey" FOREIGN KEY ("queueItemId") REFERENCES "QueueItem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "JobItemError" ADD CONSTRAINT "JobItemError_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Invariants the application relies on.
ALTER TABLE "Queue" ADD CONSTRAINT "Queue_k_check" CHECK ("k" BETWEEN 1 AND 20);
ALTER TABLE "QueueItem" ADD CONSTRAINT "QueueItem_labelCount_check" CHECK ("labelCount" >= 0);
ALTER TABLE "Job" ADD CONSTRAINT "Job_counts_check" CHECK ("done" >= 0 AND "failed" >= 0 AND "failed" <= "done");
