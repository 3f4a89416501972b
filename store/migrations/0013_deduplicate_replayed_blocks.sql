-- A block inserted again with the same insert_deduplication_token is stored
-- once, in the table and in every view fed from it. The collector's spool
-- gives each block it drains a token made of the spool and the range of
-- batches in it, so a block stored just before a crash, and drained again
-- after the restart, is not stored twice. ClickHouse keeps the last N block
-- tokens (or, for a block without one, its hash) per table; every table of a
-- view chain needs the window, or the views would run again on a block the
-- source table deduplicated. Blocks without a token are deduplicated only when
-- their content is identical, which only a retry produces.
ALTER TABLE otel_traces MODIFY SETTING non_replicated_deduplication_window = 10000;
ALTER TABLE otel_logs MODIFY SETTING non_replicated_deduplication_window = 10000;
ALTER TABLE otel_traces_trace_id_ts MODIFY SETTING non_replicated_deduplication_window = 10000;
ALTER TABLE flowtrace_executions MODIFY SETTING non_replicated_deduplication_window = 10000;
ALTER TABLE flowtrace_execution_counts MODIFY SETTING non_replicated_deduplication_window = 10000;
ALTER TABLE flowtrace_execution_counts_by MODIFY SETTING non_replicated_deduplication_window = 10000;
ALTER TABLE flowtrace_trace_records MODIFY SETTING non_replicated_deduplication_window = 10000;
ALTER TABLE flowtrace_event_logs MODIFY SETTING non_replicated_deduplication_window = 10000;
