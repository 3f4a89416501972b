-- The collector inserts blocks of a few thousand rows (as many as its senders
-- have in flight), and each block makes a part in every table its views feed:
-- merging those parts took more CPU than inserting them. A larger merge
-- selector base merges more parts of a size at once, so a row is rewritten
-- fewer times on its way to a large part. Measured with 8 senders of 500-span
-- batches (bench/src/writepath.ts): 30-32k spans/s at the default 5, 31-36k at
-- 20, for 16-18 active parts per table instead of 5-11.
ALTER TABLE otel_traces MODIFY SETTING merge_selector_base = 20;
ALTER TABLE otel_logs MODIFY SETTING merge_selector_base = 20;
ALTER TABLE otel_traces_trace_id_ts MODIFY SETTING merge_selector_base = 20;
ALTER TABLE flowtrace_executions MODIFY SETTING merge_selector_base = 20;
ALTER TABLE flowtrace_execution_counts MODIFY SETTING merge_selector_base = 20;
ALTER TABLE flowtrace_execution_counts_by MODIFY SETTING merge_selector_base = 20;
ALTER TABLE flowtrace_trace_records MODIFY SETTING merge_selector_base = 20;
ALTER TABLE flowtrace_event_logs MODIFY SETTING merge_selector_base = 20;
