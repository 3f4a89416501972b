-- Per-project retention: by age and by number of logs, whichever is reached
-- first (the plans of the seed: trial 7 days or 50k logs, pro 30 days or 1M).
-- A change is a new row with a higher Version; readers use FINAL.
CREATE TABLE IF NOT EXISTS flowtrace_retention (
    ProjectId String,
    Plan LowCardinality(String),
    MaxAgeDays UInt32,
    MaxLogs UInt64,
    UpdatedAt DateTime64(3, 'UTC'),
    Version UInt64
) ENGINE = ReplacingMergeTree(Version)
ORDER BY ProjectId;
