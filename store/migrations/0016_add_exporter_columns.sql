-- Parity with the newest clickhouseexporter layout (opentelemetry-collector-contrib,
-- exporter/clickhouseexporter/internal/sqltemplates/traces_table.sql and
-- logs_table.sql), so that SQL and dashboards written for it run here: the
-- key=value item arrays of the traces table (ALIAS: computed when read, nothing
-- stored), the resource attributes the logs table materializes as columns
-- (computed on insert; parts written before this compute them when read), and
-- the exporter's token indexes on the lower-cased span name and log body.
-- otel_logs' idx_body gives way to idx_lower_body, its successor in the
-- exporter: the same token filter over lower(Body), which case-insensitive
-- searches can use, at the same write cost. Indexes cover parts written from
-- now on (parts written before are read without them).
ALTER TABLE otel_traces ADD COLUMN IF NOT EXISTS ResourceAttributeItems Array(String) ALIAS arrayMap(kv -> concat(kv.1, '=', kv.2), CAST(ResourceAttributes, 'Array(Tuple(String, String))'));
ALTER TABLE otel_traces ADD COLUMN IF NOT EXISTS SpanAttributeItems Array(String) ALIAS arrayMap(kv -> concat(kv.1, '=', kv.2), CAST(SpanAttributes, 'Array(Tuple(String, String))'));
ALTER TABLE otel_traces ADD INDEX IF NOT EXISTS idx_lower_span_name lower(SpanName) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8;

ALTER TABLE otel_logs ADD COLUMN IF NOT EXISTS `__otel_materialized_k8s.cluster.name` LowCardinality(String) MATERIALIZED ResourceAttributes['k8s.cluster.name'] CODEC(ZSTD(1));
ALTER TABLE otel_logs ADD COLUMN IF NOT EXISTS `__otel_materialized_k8s.container.name` LowCardinality(String) MATERIALIZED ResourceAttributes['k8s.container.name'] CODEC(ZSTD(1));
ALTER TABLE otel_logs ADD COLUMN IF NOT EXISTS `__otel_materialized_k8s.deployment.name` LowCardinality(String) MATERIALIZED ResourceAttributes['k8s.deployment.name'] CODEC(ZSTD(1));
ALTER TABLE otel_logs ADD COLUMN IF NOT EXISTS `__otel_materialized_k8s.namespace.name` LowCardinality(String) MATERIALIZED ResourceAttributes['k8s.namespace.name'] CODEC(ZSTD(1));
ALTER TABLE otel_logs ADD COLUMN IF NOT EXISTS `__otel_materialized_k8s.node.name` LowCardinality(String) MATERIALIZED ResourceAttributes['k8s.node.name'] CODEC(ZSTD(1));
ALTER TABLE otel_logs ADD COLUMN IF NOT EXISTS `__otel_materialized_k8s.pod.name` LowCardinality(String) MATERIALIZED ResourceAttributes['k8s.pod.name'] CODEC(ZSTD(1));
ALTER TABLE otel_logs ADD COLUMN IF NOT EXISTS `__otel_materialized_k8s.pod.uid` LowCardinality(String) MATERIALIZED ResourceAttributes['k8s.pod.uid'] CODEC(ZSTD(1));
ALTER TABLE otel_logs ADD COLUMN IF NOT EXISTS `__otel_materialized_deployment.environment.name` LowCardinality(String) MATERIALIZED ResourceAttributes['deployment.environment.name'] CODEC(ZSTD(1));
ALTER TABLE otel_logs DROP INDEX IF EXISTS idx_body;
ALTER TABLE otel_logs ADD INDEX IF NOT EXISTS idx_lower_body lower(Body) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8;
