// An app that records a backfill of workflow executions with
// @flowtrace/instrumentation, configured by the standard variables
// (OTEL_EXPORTER_OTLP_ENDPOINT, FLOWTRACE_API_KEY, OTEL_BSP_* / OTEL_BLRP_*).
//   MODE=bulk  await flowtrace.recordWorkflowExecutions(executions)
//   MODE=loop  flowtrace.recordWorkflowExecution(execution) in a plain loop
//   MODE=exit  the plain loop, then process.exit() with nothing flushed
// COUNT executions, each with STEPS steps (the first one failing in every
// tenth execution), ending before now. Prints what it recorded as JSON.
import { Flowtrace, start } from '@flowtrace/instrumentation';

const mode = process.env.MODE ?? 'bulk';
const count = Number(process.env.COUNT ?? 20_000);
const steps = Number(process.env.STEPS ?? 1);
start();
const flowtrace = new Flowtrace();

const INTEGRATIONS = ['salesforce', 'hubspot', 'slack', 'jira'];
const end = Date.now() - 60_000;
function* executions() {
  for (let i = 0; i < count; i++) {
    const startedAt = end - (count - i) * 1000;
    const failed = i % 10 === 0;
    yield {
      executionId: `backfill-${mode}-${i}`,
      workflowId: `wf-${i % 7}`,
      workflowName: `Workflow ${i % 7}`,
      userId: `user-${i % 50}`,
      integration: INTEGRATIONS[i % INTEGRATIONS.length],
      status: failed ? 'FAILED' : 'SUCCEEDED',
      startedAt,
      endedAt: startedAt + 400,
      steps: Array.from({ length: steps }, (_, s) => ({
        stepId: `step-${s}`,
        name: `Step ${s}`,
        status: failed && s === 0 ? 'FAILED' : 'SUCCEEDED',
        error: failed && s === 0 ? 'REQUIRED_FIELD_MISSING' : undefined,
        startedAt: startedAt + 10 + s * 100,
        endedAt: startedAt + 90 + s * 100,
      })),
    };
  }
}

const began = Date.now();
if (mode === 'bulk') {
  const result = await flowtrace.recordWorkflowExecutions(executions());
  process.stdout.write(JSON.stringify({ ...result, ms: Date.now() - began }) + '\n');
} else {
  let recorded = 0;
  for (const execution of executions()) {
    flowtrace.recordWorkflowExecution(execution);
    recorded++;
  }
  process.stdout.write(JSON.stringify({ recorded, ms: Date.now() - began }) + '\n');
  if (mode === 'exit') process.exit(0);
}
// No shutdown(): start() exports what is still queued when the process runs out of work.
