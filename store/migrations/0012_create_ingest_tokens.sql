-- The requests the collector has stored, by idempotency token: a hash of the
-- request (project, signal, body). An exporter that re-sends a batch after a
-- lost answer, a spool drained twice, or a retry that reaches another collector
-- sends the same token, and the collector that sees it stored acknowledges it
-- without storing it again. Collectors keep the recent tokens in memory and
-- read what other collectors stored here in the background (never per
-- request); a token is written after its rows, in one INSERT per block.
-- Tokens older than a day are of no use (exporters give up retrying within
-- minutes) and expire.
CREATE TABLE IF NOT EXISTS flowtrace_ingest_tokens (
    Token String,
    StoredAt DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree
PARTITION BY toStartOfHour(StoredAt)
ORDER BY (StoredAt, Token)
TTL toDateTime(StoredAt) + INTERVAL 1 DAY
SETTINGS ttl_only_drop_parts = 1, auto_statistics_types = '';
