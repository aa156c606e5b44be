-- The web servers keep runs-table answers per project until something in the project changes.
-- Metric writes already NOTIFY (deepboard_metrics, with the run); these triggers tell them about
-- every change of a run row (whatever wrote it) and of the names a runs table shows (users,
-- architectures, datasets), on channel deepboard_changes: {"projects": [...]} or {"all": true}.

CREATE OR REPLACE FUNCTION deepboard_notify_run_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  projects text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT json_agg(DISTINCT "projectId")::text INTO projects FROM new_rows;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT json_agg(DISTINCT p)::text INTO projects FROM (SELECT "projectId" AS p FROM new_rows UNION SELECT "projectId" FROM old_rows) x;
  ELSE
    SELECT json_agg(DISTINCT "projectId")::text INTO projects FROM old_rows;
  END IF;
  IF projects IS NULL THEN
    RETURN NULL;
  END IF;
  -- NOTIFY payloads stop at 8000 bytes: a statement touching very many projects says "all".
  IF length(projects) > 7000 THEN
    PERFORM pg_notify('deepboard_changes', '{"all":true}');
  ELSE
    PERFORM pg_notify('deepboard_changes', '{"projects":' || projects || '}');
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "Run_changes_insert" AFTER INSERT ON "Run" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION deepboard_notify_run_changes();
CREATE TRIGGER "Run_changes_update" AFTER UPDATE ON "Run" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION deepboard_notify_run_changes();
CREATE TRIGGER "Run_changes_delete" AFTER DELETE ON "Run" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION deepboard_notify_run_changes();

CREATE OR REPLACE FUNCTION deepboard_notify_all_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('deepboard_changes', '{"all":true}');
  RETURN NULL;
END $$;

CREATE TRIGGER "User_changes" AFTER UPDATE OR DELETE ON "User" FOR EACH STATEMENT EXECUTE FUNCTION deepboard_notify_all_changed();
CREATE TRIGGER "Architecture_changes" AFTER UPDATE OR DELETE ON "Architecture" FOR EACH STATEMENT EXECUTE FUNCTION deepboard_notify_all_changed();
CREATE TRIGGER "ArchitectureVersion_changes" AFTER UPDATE OR DELETE ON "ArchitectureVersion" FOR EACH STATEMENT EXECUTE FUNCTION deepboard_notify_all_changed();
CREATE TRIGGER "Dataset_changes" AFTER UPDATE OR DELETE ON "Dataset" FOR EACH STATEMENT EXECUTE FUNCTION deepboard_notify_all_changed();
CREATE TRIGGER "DatasetVersion_changes" AFTER UPDATE OR DELETE ON "DatasetVersion" FOR EACH STATEMENT EXECUTE FUNCTION deepboard_notify_all_changed();
