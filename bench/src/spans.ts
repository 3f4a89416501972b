import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/**
 * The benchmarks' traffic, from the official SDK: batches of workflow
 * executions, each a root span with the execution's attributes
 * (flowtrace.kind, so every batch feeds the executions and their counts) and
 * 4 HTTP steps with an event each, the last one failing; one execution in
 * seven FAILED. 5 spans an execution.
 */
export function workflowSpanBatches(batches: number, executionsPerBatch = 100): ReadableSpan[][] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'workflow-runner', 'service.version': '1.4.2', 'deployment.environment': 'prod' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('bench', '1.0.0');
  const out: ReadableSpan[][] = [];
  for (let b = 0; b < batches; b++) {
    exporter.reset();
    for (let t = 0; t < executionsPerBatch; t++) {
      const n = b * executionsPerBatch + t;
      const failed = n % 7 === 0;
      const attributes = {
        'flowtrace.kind': 'workflow_execution',
        'flowtrace.workflow.id': `wf-${n % 50}`,
        'user.id': `user-${n % 300}`,
        'flowtrace.integration': 'salesforce',
        'flowtrace.status': failed ? 'FAILED' : 'SUCCEEDED',
        'flowtrace.task_count': 4,
      };
      tracer.startActiveSpan('workflow execution', { kind: SpanKind.SERVER, attributes }, (root) => {
        for (let s = 1; s <= 4; s++) {
          const error = s === 4;
          const step = tracer.startSpan(`step ${s}: Salesforce Create Record`, {
            kind: SpanKind.CLIENT,
            attributes: {
              'http.request.method': 'POST',
              'url.full': 'https://acme.my.salesforce.com/services/data/v59.0/sobjects/Contact',
              'http.response.status_code': error ? 429 : 201,
              'flowtrace.step_id': `step-${s}`,
              'server.address': 'acme.my.salesforce.com',
            },
          });
          step.addEvent('request.sent', { 'http.request.body.size': 512 });
          if (error) step.setStatus({ code: SpanStatusCode.ERROR, message: 'HTTP 429 Too Many Requests' });
          step.end();
        }
        if (failed) root.setStatus({ code: SpanStatusCode.ERROR });
        root.end();
      });
    }
    out.push([...exporter.getFinishedSpans()]);
  }
  return out;
}
