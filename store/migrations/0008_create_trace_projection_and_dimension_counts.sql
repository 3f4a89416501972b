-- A trace's spans in one place: otel_traces is sorted for Grafana's and users'
-- queries by service, span name and time, which scatters one trace's spans over
-- several granules. This projection keeps a copy sorted by trace id, so that a
-- timeline (bounded to a day by the trace lookup table) reads one granule.
-- It roughly doubles the space spans take; see README "Storage".
ALTER TABLE otel_traces ADD PROJECTION IF NOT EXISTS by_trace (SELECT * ORDER BY ProjectId, TraceId);

ALTER TABLE otel_traces MATERIALIZE PROJECTION by_trace;

-- Retention deletes rows with lightweight DELETE; the projection is rebuilt for the parts touched.
ALTER TABLE otel_traces MODIFY SETTING lightweight_mutation_projection_mode = 'rebuild';

-- Execution counts per hour and one dimension at a time (Dimension '' holds all
-- executions of a kind): what the stats endpoint groups by, and what Task
-- History walks when it filters on one dimension. A few rows per hour and
-- value, where flowtrace_execution_counts holds one per combination.
CREATE TABLE IF NOT EXISTS flowtrace_execution_counts_by (
    ProjectId LowCardinality(String),
    Kind LowCardinality(String),
    Dimension LowCardinality(String),
    Value String,
    Bucket DateTime,
    Executions SimpleAggregateFunction(sum, UInt64),
    Failures SimpleAggregateFunction(sum, UInt64),
    -- Log-scale duration buckets, as in flowtrace_execution_counts.
    Durations SimpleAggregateFunction(sumMap, Map(UInt8, UInt64))
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Bucket)
ORDER BY (ProjectId, Kind, Dimension, Value, Bucket)
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS flowtrace_execution_counts_by_mv
TO flowtrace_execution_counts_by
AS SELECT
    ProjectId,
    Kind,
    dimension.1 AS Dimension,
    dimension.2 AS Value,
    toStartOfHour(Start, 'UTC') AS Bucket,
    count() AS Executions,
    countIf(Failed = 1) AS Failures,
    sumMap(map(toUInt8(if(DurationMs = 0, 0, least(255, 1 + floor(log2(DurationMs) * 4)))), toUInt64(1))) AS Durations
FROM flowtrace_executions
ARRAY JOIN [('', ''), ('integration', toString(Integration)), ('status', toString(Status)), ('workflow', WorkflowId),
            ('tool', toString(ToolName)), ('syncType', toString(SyncType))] AS dimension
GROUP BY ProjectId, Kind, Dimension, Value, Bucket;
