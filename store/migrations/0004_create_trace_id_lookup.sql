-- The trace-id lookup table of the clickhouseexporter layout: for each trace, the
-- time range its rows span, so that reading one trace prunes otel_traces by
-- partition and primary key instead of scanning it. Fed from spans and, unlike
-- the exporter, from logs too, so a trace that so far has only logs is found.
CREATE TABLE IF NOT EXISTS otel_traces_trace_id_ts (
    ProjectId LowCardinality(String) CODEC(ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    Start SimpleAggregateFunction(min, DateTime) CODEC(ZSTD(1)),
    End SimpleAggregateFunction(max, DateTime) CODEC(ZSTD(1))
) ENGINE = AggregatingMergeTree
PARTITION BY toStartOfWeek(Start)
ORDER BY (ProjectId, TraceId)
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS otel_traces_trace_id_ts_mv
TO otel_traces_trace_id_ts
AS SELECT
    ProjectId,
    TraceId,
    min(toDateTime(Timestamp)) AS Start,
    max(toDateTime(Timestamp)) AS End
FROM otel_traces
WHERE TraceId != ''
GROUP BY ProjectId, TraceId;

CREATE MATERIALIZED VIEW IF NOT EXISTS otel_logs_trace_id_ts_mv
TO otel_traces_trace_id_ts
AS SELECT
    ProjectId,
    TraceId,
    min(toDateTime(Timestamp)) AS Start,
    max(toDateTime(Timestamp)) AS End
FROM otel_logs
WHERE TraceId != ''
GROUP BY ProjectId, TraceId;
