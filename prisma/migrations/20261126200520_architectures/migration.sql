-- CreateTable
CREATE TABLE "Architecture" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "kind" TEXT NOT NULL,
    "latestVersion" INTEGER NOT NULL DEFAULT 1,
    "forkedFromId" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Architecture_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ArchitectureVersion" (
    "id" TEXT NOT NULL,
    "architectureId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "spec" JSONB NOT NULL,
    "message" TEXT NOT NULL DEFAULT '',
    "totalParams" INTEGER NOT NULL,
    "trainableParams" INTEGER NOT NULL,
    "layerCount" INTEGER NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ArchitectureVersion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Architecture_teamId_idx" ON "Architecture"("teamId");

-- CreateIndex
CREATE UNIQUE INDEX "Architecture_projectId_name_key" ON "Architecture"("projectId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "ArchitectureVersion_architectureId_version_key" ON "ArchitectureVersion"("architectureId", "version");

-- AddForeignKey
ALTER TABLE "Architecture" ADD CONSTRAINT "Architecture_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Architecture" ADD CONSTRAINT "Architecture_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Architecture" ADD CONSTRAINT "Architecture_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Architecture" ADD CONSTRAINT "Architecture_forkedFromId_fkey" FOREIGN KEY ("forkedFromId") REFERENCES "ArchitectureVersion"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ArchitectureVersion" ADD CONSTRAINT "ArchitectureVersion_architectureId_fkey" FOREIGN KEY ("architectureId") REFERENCES "Architecture"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ArchitectureVersion" ADD CONSTRAINT "ArchitectureVersion_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

