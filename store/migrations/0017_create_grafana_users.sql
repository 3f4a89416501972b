-- Each project's read-only ClickHouse user for Grafana (server deployment):
-- which user a project has, since when, and when its password last changed.
-- The password is never kept, here or anywhere: ClickHouse keeps its salted
-- SHA-256. Created, rotated and removed with /admin/projects/:projectId/
-- grafana-user; every change is a new row with a higher Version, and readers
-- read with FINAL (a row with Deleted = 1 is gone).
CREATE TABLE IF NOT EXISTS flowtrace_grafana_users (
    ProjectId String,
    UserName String,
    CreatedAt DateTime64(3, 'UTC'),
    RotatedAt DateTime64(3, 'UTC'),
    Version UInt64,
    Deleted UInt8
) ENGINE = ReplacingMergeTree(Version, Deleted)
ORDER BY ProjectId
SETTINGS auto_statistics_types = '';
