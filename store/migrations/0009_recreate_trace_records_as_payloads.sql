-- flowtrace_trace_records, second form: each span or log as one JSON payload.
--
-- The first form (0008) kept every field of a span in its own column, and was
-- partitioned by day. A timeline then paid, for every daily part, a granule of
-- TraceIds to rule the part out, and for the part that holds the trace, one
-- granule of each of some 50 column streams: 25–45 ms at 10M spans. Here a
-- record is four narrow columns and a payload, in small granules (256 KiB), in
-- monthly partitions, with a bloom filter on TraceId to rule parts out without
-- reading them: 7–10 ms. The payload's keys are the field names the query API
-- reads (SpanRecord and LogRecord in query-api/src/repositories/traces.ts).
-- Expired rows are deleted by TTL merges, not only by dropping whole parts,
-- because a monthly part outlives a shorter retention.
DROP VIEW IF EXISTS flowtrace_trace_records_spans_mv;
DROP VIEW IF EXISTS flowtrace_trace_records_logs_mv;
DROP TABLE IF EXISTS flowtrace_trace_records;

CREATE TABLE flowtrace_trace_records (
    ProjectId LowCardinality(String),
    TraceId String CODEC(ZSTD(1)),
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    Record Enum8('span' = 1, 'log' = 2),
    Payload String CODEC(ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.01) GRANULARITY 1
) ENGINE = MergeTree
PARTITION BY toYYYYMM(Timestamp)
ORDER BY (ProjectId, TraceId, Timestamp)
SETTINGS index_granularity = 8192, index_granularity_bytes = 262144;

-- Spans and logs already stored, copied with the same SELECTs as the views below.
INSERT INTO flowtrace_trace_records
SELECT s.ProjectId, s.TraceId, s.Timestamp, 'span',
    formatRowNoNewline('JSONEachRow', s.SpanId AS SpanId, s.ParentSpanId AS ParentSpanId, s.SpanName AS SpanName,
        s.SpanKind AS SpanKind, s.ServiceName AS ServiceName, toString(s.Duration) AS Duration, s.StatusCode AS StatusCode,
        s.StatusMessage AS StatusMessage, s.TraceState AS TraceState, s.ScopeName AS ScopeName, s.ScopeVersion AS ScopeVersion,
        s.SpanAttributes AS SpanAttributes, s.ResourceAttributes AS ResourceAttributes,
        arrayMap(t -> toString(toUnixTimestamp64Nano(t)), s.Events.Timestamp) AS eventNanos, s.Events.Name AS eventNames,
        s.Events.Attributes AS eventAttributes, s.Links.TraceId AS linkTraceIds, s.Links.SpanId AS linkSpanIds,
        s.Links.TraceState AS linkTraceStates, s.Links.Attributes AS linkAttributes)
FROM otel_traces AS s;

INSERT INTO flowtrace_trace_records
SELECT l.ProjectId, l.TraceId, l.Timestamp, 'log',
    formatRowNoNewline('JSONEachRow', l.SpanId AS SpanId, l.SeverityText AS SeverityText, l.SeverityNumber AS SeverityNumber,
        l.EventName AS EventName, l.Body AS Body, l.ServiceName AS ServiceName, l.LogAttributes AS LogAttributes)
FROM otel_logs AS l
WHERE l.TraceId != '';

CREATE MATERIALIZED VIEW flowtrace_trace_records_spans_mv
TO flowtrace_trace_records
AS SELECT s.ProjectId AS ProjectId, s.TraceId AS TraceId, s.Timestamp AS Timestamp, 'span' AS Record,
    formatRowNoNewline('JSONEachRow', s.SpanId AS SpanId, s.ParentSpanId AS ParentSpanId, s.SpanName AS SpanName,
        s.SpanKind AS SpanKind, s.ServiceName AS ServiceName, toString(s.Duration) AS Duration, s.StatusCode AS StatusCode,
        s.StatusMessage AS StatusMessage, s.TraceState AS TraceState, s.ScopeName AS ScopeName, s.ScopeVersion AS ScopeVersion,
        s.SpanAttributes AS SpanAttributes, s.ResourceAttributes AS ResourceAttributes,
        arrayMap(t -> toString(toUnixTimestamp64Nano(t)), s.Events.Timestamp) AS eventNanos, s.Events.Name AS eventNames,
        s.Events.Attributes AS eventAttributes, s.Links.TraceId AS linkTraceIds, s.Links.SpanId AS linkSpanIds,
        s.Links.TraceState AS linkTraceStates, s.Links.Attributes AS linkAttributes) AS Payload
FROM otel_traces AS s;

CREATE MATERIALIZED VIEW flowtrace_trace_records_logs_mv
TO flowtrace_trace_records
AS SELECT l.ProjectId AS ProjectId, l.TraceId AS TraceId, l.Timestamp AS Timestamp, 'log' AS Record,
    formatRowNoNewline('JSONEachRow', l.SpanId AS SpanId, l.SeverityText AS SeverityText, l.SeverityNumber AS SeverityNumber,
        l.EventName AS EventName, l.Body AS Body, l.ServiceName AS ServiceName, l.LogAttributes AS LogAttributes) AS Payload
FROM otel_logs AS l
WHERE l.TraceId != '';
