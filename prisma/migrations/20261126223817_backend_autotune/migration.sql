-- AlterTable
ALTER TABLE "Worker" ADD COLUMN     "backends" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "gpuAdapter" JSONB;

-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "backendChoice" JSONB,
ADD COLUMN     "gpuAdapter" JSONB;

-- CreateTable
CREATE TABLE "BackendAutotune" (
    "id" TEXT NOT NULL,
    "workerKey" TEXT NOT NULL,
    "architectureVersionId" TEXT NOT NULL,
    "batchSize" INTEGER NOT NULL,
    "backend" TEXT NOT NULL,
    "candidates" JSONB NOT NULL,
    "workerId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BackendAutotune_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "BackendAutotune_workerKey_architectureVersionId_batchSize_key" ON "BackendAutotune"("workerKey", "architectureVersionId", "batchSize");

-- AddForeignKey
ALTER TABLE "BackendAutotune" ADD CONSTRAINT "BackendAutotune_architectureVersionId_fkey" FOREIGN KEY ("architectureVersionId") REFERENCES "ArchitectureVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

