-- Executions: one row per execution, taken from the root span of its trace
-- (ParentSpanId empty, flowtrace.kind set, not a fragment of a span reported in
-- parts). Lists (Task History, tool calls, trigger events, sync runs, agent runs)
-- read this narrow, time-sorted table instead of otel_traces. The collector
-- stores a root span only once (see collector/src/ingest), so a retried export
-- adds no row here.
CREATE TABLE IF NOT EXISTS flowtrace_executions (
    ProjectId LowCardinality(String),
    Kind LowCardinality(String),
    Start DateTime64(9) CODEC(Delta, ZSTD(1)),
    End DateTime64(9) CODEC(Delta, ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    ExecutionId String CODEC(ZSTD(1)),
    Name LowCardinality(String),
    ServiceName LowCardinality(String),
    Status LowCardinality(String),
    StatusCode LowCardinality(String),
    Failed UInt8,
    DurationMs UInt64 CODEC(ZSTD(1)),
    UserId String CODEC(ZSTD(1)),
    Integration LowCardinality(String),
    WorkflowId String CODEC(ZSTD(1)),
    ToolName LowCardinality(String),
    SyncId String CODEC(ZSTD(1)),
    SyncType LowCardinality(String),
    AgentId String CODEC(ZSTD(1)),
    ConversationId String CODEC(ZSTD(1)),
    TaskCount UInt32,
    Attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    INDEX idx_execution_id ExecutionId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_sync_id SyncId TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_conversation_id ConversationId TYPE bloom_filter(0.01) GRANULARITY 1,
    -- One user's executions are spread over every granule of the time order:
    -- this copy sorted by user answers userId filters without a scan.
    PROJECTION by_user (SELECT * ORDER BY ProjectId, Kind, UserId, Start, TraceId)
) ENGINE = MergeTree
PARTITION BY toDate(Start)
ORDER BY (ProjectId, Kind, Start, TraceId)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, lightweight_mutation_projection_mode = 'rebuild';

CREATE MATERIALIZED VIEW IF NOT EXISTS flowtrace_executions_mv
TO flowtrace_executions
AS SELECT
    ProjectId,
    SpanAttributes['flowtrace.kind'] AS Kind,
    Timestamp AS Start,
    Timestamp + toIntervalNanosecond(Duration) AS End,
    TraceId,
    SpanId,
    arrayFirst(id -> id != '', [
        SpanAttributes['flowtrace.execution.id'],
        SpanAttributes['flowtrace.agent.run_id'],
        SpanAttributes['flowtrace.job.id'],
        SpanAttributes['flowtrace.request.id'],
        SpanAttributes['flowtrace.event.id'],
        TraceId]) AS ExecutionId,
    SpanName AS Name,
    ServiceName,
    multiIf(SpanAttributes['flowtrace.status'] != '', SpanAttributes['flowtrace.status'],
            StatusCode = 'Error', 'FAILED', StatusCode = 'Ok', 'SUCCEEDED', '') AS Status,
    StatusCode,
    StatusCode = 'Error' OR Status IN ('FAILED', 'ERRORED', 'Delivery Failures', 'Processing Failure') AS Failed,
    intDiv(Duration, 1000000) AS DurationMs,
    SpanAttributes['user.id'] AS UserId,
    SpanAttributes['flowtrace.integration'] AS Integration,
    SpanAttributes['flowtrace.workflow.id'] AS WorkflowId,
    if(SpanAttributes['flowtrace.tool.name'] != '', SpanAttributes['flowtrace.tool.name'], SpanAttributes['gen_ai.tool.name']) AS ToolName,
    SpanAttributes['flowtrace.sync.id'] AS SyncId,
    SpanAttributes['flowtrace.sync.type'] AS SyncType,
    SpanAttributes['gen_ai.agent.id'] AS AgentId,
    SpanAttributes['gen_ai.conversation.id'] AS ConversationId,
    toUInt32OrZero(SpanAttributes['flowtrace.task_count']) AS TaskCount,
    SpanAttributes AS Attributes
FROM otel_traces
WHERE ParentSpanId = ''
  AND SpanAttributes['flowtrace.kind'] != ''
  AND NOT mapContains(SpanAttributes, 'flowtrace.span.fragment');

-- Execution counts per hour and the dimensions the stats endpoint groups by;
-- Task History also walks these counts to find a deep page without reading
-- the executions it skips.
CREATE TABLE IF NOT EXISTS flowtrace_execution_counts (
    ProjectId LowCardinality(String),
    Kind LowCardinality(String),
    Bucket DateTime,
    Integration LowCardinality(String),
    Status LowCardinality(String),
    WorkflowId String,
    ToolName LowCardinality(String),
    SyncType LowCardinality(String),
    Executions SimpleAggregateFunction(sum, UInt64),
    Failures SimpleAggregateFunction(sum, UInt64),
    -- Durations in log-scale buckets (see DURATION_BUCKET): bucket i > 0 holds
    -- 2^((i-1)/4) ≤ ms < 2^(i/4), bucket 0 holds 0 ms. Percentiles read from it
    -- are within 9%, and merging is a sum (a t-digest merge cost 3× the query).
    Durations SimpleAggregateFunction(sumMap, Map(UInt8, UInt64))
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(Bucket)
ORDER BY (ProjectId, Kind, Bucket, Integration, Status, WorkflowId, ToolName, SyncType)
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS flowtrace_execution_counts_mv
TO flowtrace_execution_counts
AS SELECT
    ProjectId,
    Kind,
    toStartOfHour(Start, 'UTC') AS Bucket,
    Integration,
    Status,
    WorkflowId,
    ToolName,
    SyncType,
    count() AS Executions,
    countIf(Failed = 1) AS Failures,
    sumMap(map(toUInt8(if(DurationMs = 0, 0, least(255, 1 + floor(log2(DurationMs) * 4)))), toUInt64(1))) AS Durations
FROM flowtrace_executions
GROUP BY ProjectId, Kind, Bucket, Integration, Status, WorkflowId, ToolName, SyncType;

-- Event Logs: every log record with the fields users filter by as columns,
-- sorted by time so that "newest first" reads in order and stops at a page.
-- LogKey identifies a record (a retried export repeats it; readers return it
-- once and merges drop the copy) and breaks ties in the cursor.
CREATE TABLE IF NOT EXISTS flowtrace_event_logs (
    ProjectId LowCardinality(String),
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    LogKey UInt64,
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    Level LowCardinality(String),
    SeverityNumber UInt8,
    Type LowCardinality(String),
    EventName LowCardinality(String),
    Body String CODEC(ZSTD(1)),
    UserId String CODEC(ZSTD(1)),
    Integration LowCardinality(String),
    SyncEvent LowCardinality(String),
    SyncType LowCardinality(String),
    SyncStatus LowCardinality(String),
    ServiceName LowCardinality(String),
    Attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    INDEX idx_body lower(Body) TYPE ngrambf_v1(3, 65536, 2, 0) GRANULARITY 1,
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_user_id UserId TYPE bloom_filter(0.01) GRANULARITY 1
) ENGINE = ReplacingMergeTree
PARTITION BY toDate(Timestamp)
ORDER BY (ProjectId, Timestamp, LogKey)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS flowtrace_event_logs_mv
TO flowtrace_event_logs
AS SELECT
    ProjectId,
    Timestamp,
    cityHash64(TraceId, SpanId, EventName, Body, SeverityNumber) AS LogKey,
    TraceId,
    SpanId,
    multiIf(SeverityNumber BETWEEN 1 AND 4, 'TRACE', SeverityNumber BETWEEN 5 AND 8, 'DEBUG',
            SeverityNumber BETWEEN 9 AND 12, 'INFO', SeverityNumber BETWEEN 13 AND 16, 'WARN',
            SeverityNumber BETWEEN 17 AND 20, 'ERROR', SeverityNumber BETWEEN 21 AND 24, 'FATAL',
            upperUTF8(SeverityText)) AS Level,
    SeverityNumber,
    LogAttributes['flowtrace.log.type'] AS Type,
    EventName,
    Body,
    LogAttributes['user.id'] AS UserId,
    LogAttributes['flowtrace.integration'] AS Integration,
    LogAttributes['flowtrace.sync.event'] AS SyncEvent,
    LogAttributes['flowtrace.sync.type'] AS SyncType,
    LogAttributes['flowtrace.sync.status'] AS SyncStatus,
    ServiceName,
    LogAttributes AS Attributes
FROM otel_logs;
