-- CreateTable
CREATE TABLE "FairnessGateRule" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "rule" JSONB NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "FairnessGateRule_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FairnessGateRule_teamId_idx" ON "FairnessGateRule"("teamId");

-- AddForeignKey
ALTER TABLE "FairnessGateRule" ADD CONSTRAINT "FairnessGateRule_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FairnessGateRule" ADD CONSTRAINT "FairnessGateRule_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

