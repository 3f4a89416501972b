-- Per-project redaction patterns: regular expressions (JavaScript syntax)
-- whose matches the collector replaces with [REDACTED] before anything of the
-- project is stored, on top of the built-in redaction of credentials, which
-- always applies. Set with PUT /admin/projects/:projectId/redaction; a change
-- is a new row with a later UpdatedAt, and readers take the latest.
CREATE TABLE IF NOT EXISTS flowtrace_redaction_rules (
    ProjectId String,
    Patterns Array(String),
    UpdatedAt DateTime64(6, 'UTC')
) ENGINE = ReplacingMergeTree(UpdatedAt)
ORDER BY ProjectId
SETTINGS auto_statistics_types = '';
