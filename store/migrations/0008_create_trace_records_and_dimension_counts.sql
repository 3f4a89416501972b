-- A trace's spans and logs in one place. otel_traces is sorted for Grafana's
-- and users' queries by service, span name and time, which scatters one
-- trace's spans over several granules, and its logs are in another table: a
-- timeline would read both. This copy of both, sorted by trace, lets a
-- timeline (bounded to a day by the trace lookup table) be one read of one
-- granule. It takes about as much space again as spans and logs do; see
-- README "Storage".
CREATE TABLE IF NOT EXISTS flowtrace_trace_records (
    ProjectId LowCardinality(String),
    TraceId String CODEC(ZSTD(1)),
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    Record Enum8('span' = 1, 'log' = 2),
    SpanId String CODEC(ZSTD(1)),
    ParentSpanId String CODEC(ZSTD(1)),
    -- A span's name, a log's body.
    Name String CODEC(ZSTD(1)),
    Kind LowCardinality(String),
    ServiceName LowCardinality(String),
    Duration UInt64 CODEC(ZSTD(1)),
    StatusCode LowCardinality(String),
    StatusMessage String CODEC(ZSTD(1)),
    TraceState String CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion String CODEC(ZSTD(1)),
    Attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    EventTimestamps Array(DateTime64(9)) CODEC(ZSTD(1)),
    EventNames Array(LowCardinality(String)) CODEC(ZSTD(1)),
    EventAttributes Array(Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
    LinkTraceIds Array(String) CODEC(ZSTD(1)),
    LinkSpanIds Array(String) CODEC(ZSTD(1)),
    LinkTraceStates Array(String) CODEC(ZSTD(1)),
    LinkAttributes Array(Map(LowCardinality(String), String)) CODEC(ZSTD(1)),
    SeverityText LowCardinality(String),
    SeverityNumber UInt8,
    EventName LowCardinality(String)
) ENGINE = MergeTree
PARTITION BY toDate(Timestamp)
ORDER BY (ProjectId, TraceId, Timestamp)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS flowtrace_trace_records_spans_mv
TO flowtrace_trace_records
AS SELECT
    ProjectId, TraceId, Timestamp, 'span' AS Record, SpanId, ParentSpanId, toString(SpanName) AS Name,
    SpanKind AS Kind, ServiceName, Duration, StatusCode, StatusMessage, TraceState, ScopeName, ScopeVersion,
    SpanAttributes AS Attributes, ResourceAttributes,
    Events.Timestamp AS EventTimestamps, Events.Name AS EventNames, Events.Attributes AS EventAttributes,
    Links.TraceId AS LinkTraceIds, Links.SpanId AS LinkSpanIds, Links.TraceState AS LinkTraceStates, Links.Attributes AS LinkAttributes,
    '' AS SeverityText, toUInt8(0) AS SeverityNumber, '' AS EventName
FROM otel_traces;

CREATE MATERIALIZED VIEW IF NOT EXISTS flowtrace_trace_records_logs_mv
TO flowtrace_trace_records
AS SELECT
    ProjectId, TraceId, Timestamp, 'log' AS Record, SpanId, '' AS ParentSpanId, Body AS Name,
    '' AS Kind, ServiceName, toUInt64(0) AS Duration, '' AS StatusCode, '' AS StatusMessage, '' AS TraceState,
    ScopeName, toString(ScopeVersion) AS ScopeVersion, LogAttributes AS Attributes, ResourceAttributes,
    CAST([], 'Array(DateTime64(9))') AS EventTimestamps, CAST([], 'Array(LowCardinality(String))') AS EventNames,
    CAST([], 'Array(Map(LowCardinality(String), String))') AS EventAttributes,
    CAST([], 'Array(String)') AS LinkTraceIds, CAST([], 'Array(String)') AS LinkSpanIds, CAST([], 'Array(String)') AS LinkTraceStates,
    CAST([], 'Array(Map(LowCardinality(String), String))') AS LinkAttributes,
    SeverityText, SeverityNumber, EventName
FROM otel_logs
WHERE TraceId != '';

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
