-- CreateEnum
CREATE TYPE "SweepStatus" AS ENUM ('RUNNING', 'FINISHED', 'CANCELLED');

-- AlterEnum
ALTER TYPE "RunStatus" ADD VALUE 'PRUNED';

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "sweepId" TEXT,
ADD COLUMN     "sweepTrial" INTEGER;

-- CreateTable
CREATE TABLE "Sweep" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "createdById" TEXT,
    "name" TEXT NOT NULL,
    "status" "SweepStatus" NOT NULL DEFAULT 'RUNNING',
    "method" TEXT NOT NULL,
    "seed" INTEGER NOT NULL DEFAULT 0,
    "architectureId" TEXT NOT NULL,
    "architectureVersion" INTEGER NOT NULL,
    "datasetId" TEXT,
    "datasetVersion" INTEGER,
    "config" JSONB NOT NULL,
    "space" JSONB NOT NULL,
    "maxRuns" INTEGER NOT NULL,
    "parallelism" INTEGER NOT NULL,
    "objective" JSONB NOT NULL,
    "earlyStopping" JSONB,
    "reason" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Sweep_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Sweep_teamId_projectId_createdAt_idx" ON "Sweep"("teamId", "projectId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Sweep_projectId_name_key" ON "Sweep"("projectId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "Run_sweepId_sweepTrial_key" ON "Run"("sweepId", "sweepTrial");

-- AddForeignKey
ALTER TABLE "Run" ADD CONSTRAINT "Run_sweepId_fkey" FOREIGN KEY ("sweepId") REFERENCES "Sweep"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sweep" ADD CONSTRAINT "Sweep_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sweep" ADD CONSTRAINT "Sweep_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sweep" ADD CONSTRAINT "Sweep_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

