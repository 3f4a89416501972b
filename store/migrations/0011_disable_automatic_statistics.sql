-- ClickHouse computes column statistics (basic, uniq_v2) for every column of
-- every part a merge writes. No Flowtrace query uses them (the store turns
-- use_statistics off), and a merge spent 15-20% of its time on them (measured:
-- OPTIMIZE FINAL of 2M executions in 10 parts, 17.7 s with, 14.7 s without).
-- Parts written before this keep theirs until merged.
ALTER TABLE otel_traces MODIFY SETTING auto_statistics_types = '';
ALTER TABLE otel_logs MODIFY SETTING auto_statistics_types = '';
ALTER TABLE otel_traces_trace_id_ts MODIFY SETTING auto_statistics_types = '';
ALTER TABLE flowtrace_executions MODIFY SETTING auto_statistics_types = '';
ALTER TABLE flowtrace_execution_counts MODIFY SETTING auto_statistics_types = '';
ALTER TABLE flowtrace_execution_counts_by MODIFY SETTING auto_statistics_types = '';
ALTER TABLE flowtrace_trace_records MODIFY SETTING auto_statistics_types = '';
ALTER TABLE flowtrace_event_logs MODIFY SETTING auto_statistics_types = '';
