-- Projects, their API keys and process-wide settings (the admin token's hash).
-- Everything Flowtrace keeps lives in ClickHouse, so these small tables do too.
-- Rows are never updated in place: a change (a revocation) is a new row with a
-- higher Version, and readers use FINAL.
CREATE TABLE IF NOT EXISTS flowtrace_settings (
    Name String,
    Value String,
    Version UInt64
) ENGINE = ReplacingMergeTree(Version)
ORDER BY Name;

CREATE TABLE IF NOT EXISTS flowtrace_projects (
    Id String,
    Name String,
    CreatedAt DateTime64(3, 'UTC'),
    Version UInt64
) ENGINE = ReplacingMergeTree(Version)
ORDER BY Id;

CREATE TABLE IF NOT EXISTS flowtrace_api_keys (
    Id String,
    ProjectId String,
    Name String,
    KeyHash String,
    KeyPrefix String,
    CreatedAt DateTime64(3, 'UTC'),
    RevokedAt Nullable(DateTime64(3, 'UTC')),
    Version UInt64
) ENGINE = ReplacingMergeTree(Version)
ORDER BY (ProjectId, Id);
