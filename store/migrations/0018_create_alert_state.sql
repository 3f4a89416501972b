-- Alerting: what the evaluator of `flowtrace start` knows, kept in ClickHouse so
-- that a restart neither forgets a firing alert nor sends a notification twice,
-- and so that a query API in another process shows the same rules, state and
-- notifications (GET /admin/alerts/...). One process evaluates (see
-- FLOWTRACE_ALERTING) and is the only writer; every change is a new row with a
-- higher Version, and readers read with FINAL (a row with Deleted = 1 is gone).

-- The rules being evaluated, as loaded from the rules file, with the outcome of
-- their last evaluation.
CREATE TABLE IF NOT EXISTS flowtrace_alert_rules (
    RuleId String,
    Title String,
    -- The rule as loaded (window, for, condition, labels, annotations, link, sql), JSON.
    Definition String,
    Source String,
    -- ok, error, or unknown before the first evaluation.
    Health LowCardinality(String),
    LastError String,
    LastEvaluatedAt Nullable(DateTime64(3, 'UTC')),
    LastDurationMs UInt32,
    UpdatedAt DateTime64(3, 'UTC'),
    Version UInt64,
    Deleted UInt8
) ENGINE = ReplacingMergeTree(Version, Deleted)
ORDER BY RuleId
SETTINGS auto_statistics_types = '';

-- One row per alert instance: a rule and one label set of its result. State is
-- normal, pending or firing; Episode counts the times it has fired, and with
-- the rule and the label set makes the ids of its notifications.
CREATE TABLE IF NOT EXISTS flowtrace_alert_instances (
    RuleId String,
    Fingerprint String,
    Labels Map(String, String),
    State LowCardinality(String),
    Episode UInt32,
    Value Nullable(Float64),
    ActiveAt Nullable(DateTime64(3, 'UTC')),
    FiredAt Nullable(DateTime64(3, 'UTC')),
    ResolvedAt Nullable(DateTime64(3, 'UTC')),
    LastEvaluatedAt DateTime64(3, 'UTC'),
    UpdatedAt DateTime64(3, 'UTC'),
    Version UInt64,
    Deleted UInt8
) ENGINE = ReplacingMergeTree(Version, Deleted)
ORDER BY (RuleId, Fingerprint)
SETTINGS auto_statistics_types = '';

-- The outbox: one row per notification (a state change: firing or resolved),
-- written before the instance's new state, with its deliveries to each webhook
-- (JSON: state, attempts, last error). Pending = 1 while a delivery awaits a
-- retry; a restart resumes those. Kept 30 days.
CREATE TABLE IF NOT EXISTS flowtrace_alert_notifications (
    Id String,
    RuleId String,
    Fingerprint String,
    -- The instance's own labels (the payload's labels add the rule's).
    Labels Map(String, String),
    Episode UInt32,
    Status LowCardinality(String),
    Payload String,
    CreatedAt DateTime64(3, 'UTC'),
    Pending UInt8,
    Deliveries String,
    UpdatedAt DateTime64(3, 'UTC'),
    Version UInt64
) ENGINE = ReplacingMergeTree(Version)
ORDER BY Id
TTL toDateTime(CreatedAt) + INTERVAL 30 DAY
SETTINGS auto_statistics_types = '';
