-- CreateIndex
CREATE INDEX "Run_teamId_projectId_createdAt_idx" ON "Run"("teamId", "projectId", "createdAt");

-- CreateIndex
CREATE INDEX "Run_tags_idx" ON "Run" USING GIN ("tags");

-- CreateIndex
-- INCLUDE (not expressible in schema.prisma) makes metric sorts and joins index-only scans.
CREATE INDEX "MetricSeries_key_context_last_idx" ON "MetricSeries"("key", "context", "last") INCLUDE ("runId", "min", "max");

