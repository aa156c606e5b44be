-- Chart tiers (see MetricTier in schema.prisma and lib/tracking/metrics.ts).
CREATE TABLE "MetricTier" (
    "seriesId" BIGINT NOT NULL,
    "width" INTEGER NOT NULL,
    "bucket" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,
    "minStep" INTEGER NOT NULL,
    "minValue" DOUBLE PRECISION NOT NULL,
    "minEpoch" INTEGER,
    "minTime" TIMESTAMP(3) NOT NULL,
    "maxStep" INTEGER NOT NULL,
    "maxValue" DOUBLE PRECISION NOT NULL,
    "maxEpoch" INTEGER,
    "maxTime" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MetricTier_pkey" PRIMARY KEY ("seriesId","width","bucket")
);

-- Points and tiers follow their series by a statement-level trigger instead of a row-level foreign
-- key. The key's per-row check looked up the series row, which the write path updates on every
-- batch (its summary): following those row versions cost up to 7× the insert itself (issue 8, P2).
-- Only logMetrics inserts points, with series ids it upserted (and locked) in the same transaction.
ALTER TABLE "MetricPoint" DROP CONSTRAINT "MetricPoint_seriesId_fkey";

CREATE FUNCTION deepboard_metric_series_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "MetricPoint" p USING gone g WHERE p."seriesId" = g.id;
  DELETE FROM "MetricTier" t USING gone g WHERE t."seriesId" = g.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER "MetricSeries_deleted" AFTER DELETE ON "MetricSeries"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION deepboard_metric_series_deleted();

-- Backfill: the tiers of the points already stored (lib/tracking/metrics.ts tierRowsSql).
INSERT INTO "MetricTier" ("seriesId", width, bucket, count, "minStep", "minValue", "minEpoch", "minTime", "maxStep", "maxValue", "maxEpoch", "maxTime")
SELECT "seriesId", width, bucket, n, lo[2]::int, lo[1], lo[3]::int, '1970-01-01'::timestamp + lo[4] * interval '1 millisecond',
       (-hi[2])::int, hi[1], hi[3]::int, '1970-01-01'::timestamp + hi[4] * interval '1 millisecond'
FROM (
  SELECT p."seriesId", w.width, p.step / w.width AS bucket, count(*)::int AS n,
         min(ARRAY[p.value, p.step::float8, p.epoch::float8, (extract(epoch FROM p."wallTime") * 1000)::float8]) AS lo,
         max(ARRAY[p.value, -p.step::float8, p.epoch::float8, (extract(epoch FROM p."wallTime") * 1000)::float8]) AS hi
  FROM "MetricPoint" p CROSS JOIN unnest('{32,256,2048,16384,131072}'::int[]) AS w(width)
  GROUP BY 1, 2, 3
) g;
