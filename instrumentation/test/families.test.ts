/**
 * Every event family through the whole path: recorded with `Flowtrace` on the
 * official OTel SDK, exported over OTLP/HTTP protobuf to the collector, stored
 * in embedded ClickHouse, read back as the trace timeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Flowtrace,
  agentRunTraceId,
  credentialRefreshTrace,
  jobTraceId,
  requestIdFromTraceId,
  rootSpanIdOf,
  syncRunTraceId,
  traceIdFromRequestId,
  triggerEventTraceId,
  triggerSubscriptionTraceId,
  triggerTraceId,
  workflowExecutionTraceId,
} from '@flowtrace/instrumentation';
import * as sc from '@flowtrace/instrumentation/semconv';
import type { Timeline, TimelineSpan } from '@flowtrace/query-api';
import { openPipeline, type Pipeline } from '../../test/support/pipeline.js';

let pipeline: Pipeline;
const flowtrace = new Flowtrace();
const T = Date.parse('2026-11-20T10:00:00.000Z');
const at = (ms: number) => new Date(T + ms);

beforeAll(async () => {
  pipeline = await openPipeline();
});
afterAll(() => pipeline.close());

const byName = (t: Timeline, name: string): TimelineSpan => {
  const span = t.spans.find((s) => s.name === name);
  if (!span) throw new Error(`no span ${name} in ${t.spans.map((s) => s.name).join(', ')}`);
  return span;
};
const messages = (t: Timeline) => t.logs.map((l) => [l.severityText, l.body]);

describe('workflow triggers', () => {
  it('App Event: Event Logs messages, a submission span linked to the execution it started', async () => {
    flowtrace.recordTrigger({
      type: 'App Event',
      id: 'evt-1',
      eventId: 'evt-1',
      eventName: 'Deal Created',
      userId: 'user-1',
      integration: 'salesforce',
      personaId: 'persona-9',
      startedAt: at(0),
      endedAt: at(40),
      submissions: [
        { workflowId: 'wf-1', executionId: 'exec-1', submittedAt: at(20) },
        { workflowId: 'wf-2', submittedAt: at(25), error: 'workflow is disabled' },
      ],
    });
    await pipeline.flush();
    const t = await pipeline.timeline(triggerTraceId('App Event', 'evt-1'));
    const root = byName(t, 'App Event trigger Deal Created');
    expect(root.attributes).toEqual({
      [sc.ATTR_FLOWTRACE_KIND]: 'trigger',
      [sc.ATTR_FLOWTRACE_TRIGGER_TYPE]: 'App Event',
      [sc.ATTR_FLOWTRACE_LOG_TYPE]: 'App Event',
      [sc.ATTR_USER_ID]: 'user-1',
      [sc.ATTR_FLOWTRACE_INTEGRATION]: 'salesforce',
      [sc.ATTR_FLOWTRACE_PERSONA_ID]: 'persona-9',
      [sc.ATTR_FLOWTRACE_EVENT_ID]: 'evt-1',
      [sc.ATTR_FLOWTRACE_EVENT_NAME]: 'Deal Created',
      [sc.ATTR_FLOWTRACE_STATUS]: 'FAILED',
      [sc.ATTR_FLOWTRACE_TRIGGER_WORKFLOWS_SUBMITTED]: '1',
      'error.type': 'TriggerFailed',
    });
    expect(root.status.code).toBe('Error');
    expect(root.durationMs).toBe(40);
    const submit = byName(t, 'submit workflow wf-1');
    expect(submit.kind).toBe('Producer');
    expect(submit.links).toEqual([{ traceId: workflowExecutionTraceId('exec-1'), spanId: rootSpanIdOf(workflowExecutionTraceId('exec-1')), traceState: '', attributes: {} }]);
    expect(messages(t)).toEqual([
      ['INFO', 'App Event Trigger Started'],
      ['INFO', 'App Event Trigger Submitting workflows for execution'],
      ['ERROR', 'Error preparing workflow for event trigger'],
      ['INFO', 'App Event Trigger Workflows submitted successfully'],
    ]);
    // Every log carries the identifiers users filter by.
    for (const log of t.logs) expect(log.attributes).toMatchObject({ [sc.ATTR_USER_ID]: 'user-1', [sc.ATTR_FLOWTRACE_INTEGRATION]: 'salesforce', [sc.ATTR_FLOWTRACE_EVENT_NAME]: 'Deal Created' });
  });

  it('Webhook: per-user, per-app and per-resource fan-out with its messages', async () => {
    flowtrace.recordTrigger({
      type: 'Webhook',
      id: 'wh-req-1',
      webhookId: 'webhook-7',
      integration: 'hubspot',
      startedAt: at(0),
      records: [
        { recordId: 'r1', fanout: 'user', userId: 'u1', processedAt: at(5), submissions: [{ workflowId: 'wf-1', executionId: 'e-10', submittedAt: at(6) }] },
        { recordId: 'r2', fanout: 'app', processedAt: at(7), submissions: [{ workflowId: 'wf-1', userId: 'u2', executionId: 'e-11', submittedAt: at(8) }] },
        { recordId: 'r3', fanout: 'resource', resourceId: 'res-1', processedAt: at(9), error: 'record has no owner' },
      ],
    });
    await pipeline.flush();
    const t = await pipeline.timeline(triggerTraceId('Webhook', 'wh-req-1'));
    expect(messages(t)).toEqual([
      ['INFO', 'Webhook Trigger request received'],
      ['INFO', 'Webhook Trigger processing record for user'],
      ['INFO', 'Webhook Trigger submitting workflows for processed records'],
      ['INFO', 'Webhook Trigger processing record for app'],
      ['INFO', 'Webhook Trigger submitting workflows for app users'],
      ['INFO', 'Webhook Trigger processing record for resource'],
      ['ERROR', 'Webhook trigger failed to process record for resource'],
    ]);
    expect(t.spans.map((s) => [s.name, s.depth])).toEqual([
      ['Webhook trigger', 0],
      ['process record for user', 1],
      ['submit workflow wf-1', 2],
      ['process record for app', 1],
      ['submit workflow wf-1', 2],
      ['process record for resource', 1],
    ]);
    expect(byName(t, 'process record for resource').attributes).toEqual({
      [sc.ATTR_FLOWTRACE_RECORD_ID]: 'r3',
      [sc.ATTR_FLOWTRACE_RESOURCE_ID]: 'res-1',
      [sc.ATTR_FLOWTRACE_TRIGGER_FANOUT]: 'resource',
    });
  });

  it('Request, Integration Enabled and Scheduler triggers emit their own messages', async () => {
    flowtrace.recordTrigger({ type: 'Request', id: 'req-1', startedAt: at(0), outcome: 'RESPONSE_TIMEOUT', submissions: [{ workflowId: 'wf-3', executionId: 'e-3', submittedAt: at(1) }], endedAt: at(30_000) });
    flowtrace.recordTrigger({ type: 'Integration Enabled', id: 'ie-1', userId: 'u9', integration: 'slack', startedAt: at(0), error: 'credential missing' });
    flowtrace.recordTrigger({ type: 'Scheduler', id: 'sch-1', startedAt: at(0), submissions: [{ workflowId: 'wf-4', executionId: 'e-4', submittedAt: at(0) }, { workflowId: 'wf-5', submittedAt: at(1), error: 'quota exceeded' }] });
    await pipeline.flush();
    expect(messages(await pipeline.timeline(triggerTraceId('Request', 'req-1')))).toEqual([
      ['INFO', 'Request Trigger Started'],
      ['INFO', 'Request Trigger workflow submitted for execution'],
      ['WARN', 'Request Trigger execution response timeout occurred'],
    ]);
    expect(messages(await pipeline.timeline(triggerTraceId('Integration Enabled', 'ie-1')))).toEqual([
      ['INFO', 'Integration Enabled Trigger Started'],
      ['ERROR', 'Integration Enabled Trigger Failed'],
    ]);
    expect(messages(await pipeline.timeline(triggerTraceId('Scheduler', 'sch-1')))).toEqual([
      ['INFO', 'Scheduler Trigger submitting workflow for execution'],
      ['ERROR', 'Scheduler Trigger failed to submit execution for workflow'],
    ]);
  });
});

describe('workflow executions', () => {
  it('steps as child spans, outbound requests as HTTP client spans, no content without opt-in', async () => {
    flowtrace.recordWorkflowExecution({
      executionId: 'exec-1',
      workflowId: 'wf-1',
      workflowName: 'Sync new deals',
      userId: 'user-1',
      integration: 'salesforce',
      status: 'FAILED',
      startedAt: at(100),
      endedAt: at(1577),
      trigger: { type: 'App Event', runId: 'evt-1', traceId: triggerTraceId('App Event', 'evt-1') },
      steps: [
        { stepId: 's1', name: 'Get contact', status: 'SUCCEEDED', startedAt: at(110), endedAt: at(400), input: { email: 'a@b.c' }, requests: [
          { method: 'get', url: 'https://acme.my.salesforce.com/services/data/v59.0/query?q=SELECT&access_token=abc123', statusCode: 200, startedAt: at(120), endedAt: at(390) },
        ] },
        { stepId: 's2', name: 'Create record', status: 'FAILED', error: 'REQUIRED_FIELD_MISSING', startedAt: at(400), endedAt: at(1500), requests: [
          { method: 'POST', url: 'https://acme.my.salesforce.com/services/data/v59.0/sobjects/Deal', statusCode: 400, startedAt: at(410), endedAt: at(1490), responseBody: { message: 'Required fields are missing: [Name]', session_token: 'sekrit' } },
        ] },
      ],
    });
    await pipeline.flush();
    const t = await pipeline.timeline(workflowExecutionTraceId('exec-1'));
    expect(t.spans.map((s) => [s.name, s.depth, s.kind])).toEqual([
      ['workflow_execution Sync new deals', 0, 'Server'],
      ['step Get contact', 1, 'Internal'],
      ['GET', 2, 'Client'],
      ['step Create record', 1, 'Internal'],
      ['POST', 2, 'Client'],
    ]);
    const root = t.spans[0]!;
    expect(root.attributes).toEqual({
      [sc.ATTR_FLOWTRACE_KIND]: 'workflow_execution',
      [sc.ATTR_FLOWTRACE_LOG_TYPE]: 'Workflow',
      [sc.ATTR_FLOWTRACE_EXECUTION_ID]: 'exec-1',
      [sc.ATTR_FLOWTRACE_WORKFLOW_ID]: 'wf-1',
      [sc.ATTR_USER_ID]: 'user-1',
      [sc.ATTR_FLOWTRACE_INTEGRATION]: 'salesforce',
      [sc.ATTR_FLOWTRACE_STATUS]: 'FAILED',
      [sc.ATTR_FLOWTRACE_WORKFLOW_NAME]: 'Sync new deals',
      [sc.ATTR_FLOWTRACE_TASK_COUNT]: '2',
      [sc.ATTR_FLOWTRACE_TRIGGER_TYPE]: 'App Event',
      'error.type': 'WorkflowFailed',
    });
    expect(root.durationMs).toBe(1477);
    expect(root.status).toEqual({ code: 'Error', message: 'REQUIRED_FIELD_MISSING' });
    expect(root.links[0]!.traceId).toBe(triggerTraceId('App Event', 'evt-1'));
    const get = byName(t, 'GET');
    expect(get.attributes).toEqual({
      'http.request.method': 'GET',
      'url.full': 'https://acme.my.salesforce.com/services/data/v59.0/query?q=SELECT&access_token=REDACTED',
      'server.address': 'acme.my.salesforce.com',
      'http.response.status_code': '200',
    });
    expect(byName(t, 'step Get contact').attributes[sc.ATTR_FLOWTRACE_INPUT]).toBeUndefined();
    const failedRequest = t.logs.find((l) => l.eventName === 'http.request.failed')!;
    expect(failedRequest.severityText).toBe('ERROR');
    expect(JSON.parse(failedRequest.attributes[sc.ATTR_FLOWTRACE_RESPONSE_BODY]!)).toEqual({ message: 'Required fields are missing: [Name]', session_token: '[REDACTED]' });
    // Bodies only on error-level logs.
    expect(t.logs.filter((l) => l.attributes[sc.ATTR_FLOWTRACE_RESPONSE_BODY] !== undefined).map((l) => l.severityText)).toEqual(['ERROR']);
  });

  it('keeps step input and output, redacted, when the caller opts in', async () => {
    const capturing = new Flowtrace({ captureContent: true });
    capturing.recordWorkflowExecution({
      executionId: 'exec-capture',
      workflowId: 'wf-1',
      userId: 'u',
      integration: 'stripe',
      status: 'SUCCEEDED',
      startedAt: at(0),
      endedAt: at(10),
      steps: [{ stepId: 's1', name: 'Charge', status: 'SUCCEEDED', startedAt: at(0), endedAt: at(10), input: { amount: 100, api_key: 'sk_live_123', headers: { Authorization: 'Bearer abcdefghijk' } }, output: { id: 'ch_1' } }],
    });
    await pipeline.flush();
    const step = byName(await pipeline.timeline(workflowExecutionTraceId('exec-capture')), 'step Charge');
    expect(JSON.parse(step.attributes[sc.ATTR_FLOWTRACE_INPUT]!)).toEqual({ amount: 100, api_key: '[REDACTED]', headers: { Authorization: '[REDACTED]' } });
    expect(JSON.parse(step.attributes[sc.ATTR_FLOWTRACE_OUTPUT]!)).toEqual({ id: 'ch_1' });
  });
});

describe('ActionKit', () => {
  it('a Run Tool call is the trace of its requestId, with provider requests and the Log Trace messages', async () => {
    const requestId = '4c7445d2-1972-4ed6-9e47-46053bf1d45f';
    flowtrace.recordToolCall({
      requestId,
      operation: 'Run Tool',
      toolName: 'CLICKUP_UPDATE_TASK',
      integration: 'clickup',
      userId: 'user-5',
      receivedAt: at(0),
      endedAt: at(300),
      status: 'FAILED',
      error: { message: 'Unable to update Task', code: 'OAUTH_027', httpStatus: 500 },
      requests: [{ method: 'PUT', url: 'https://api.clickup.com/api/v2/task/86a', statusCode: 401, startedAt: at(10), endedAt: at(280), responseBody: { err: 'Team not authorized', ECODE: 'OAUTH_027' } }],
    });
    await pipeline.flush();
    const traceId = traceIdFromRequestId(requestId);
    expect(requestIdFromTraceId(traceId)).toBe(requestId);
    const t = await pipeline.timeline(traceId);
    expect(t.spans.map((s) => s.name)).toEqual(['Run Tool CLICKUP_UPDATE_TASK', 'PUT']);
    expect(t.spans[0]!.attributes).toMatchObject({
      [sc.ATTR_FLOWTRACE_KIND]: 'tool_call',
      [sc.ATTR_FLOWTRACE_REQUEST_ID]: requestId,
      [sc.ATTR_FLOWTRACE_TOOL_NAME]: 'CLICKUP_UPDATE_TASK',
      [sc.ATTR_GEN_AI_TOOL_NAME]: 'CLICKUP_UPDATE_TASK',
      [sc.ATTR_FLOWTRACE_STATUS]: 'FAILED',
      [sc.ATTR_FLOWTRACE_ERROR_CODE]: 'OAUTH_027',
      'error.type': 'OAUTH_027',
    });
    expect(messages(t)).toEqual([
      ['INFO', 'Start'],
      ['ERROR', 'PUT https://api.clickup.com/api/v2/task/86a 401'],
      ['ERROR', 'CLICKUP_UPDATE_TASK - Failed'],
    ]);
  });

  it('trigger subscriptions with webhook creation attempts, and trigger events with deliveries', async () => {
    flowtrace.recordTriggerSubscription({ triggerId: 'trg-1', integration: 'github', userId: 'u1', model: 'WEBHOOK', createdAt: at(0), webhookCreationAttempts: [{ at: at(5), succeeded: false, statusCode: 403, error: 'Resource not accessible' }, { at: at(905), succeeded: true }] });
    flowtrace.recordTriggerEvent({
      eventId: 'tev-1',
      integration: 'github',
      receivedAt: at(1000),
      source: { model: 'POLLING', detection: 'new', recordId: 'issue-42' },
      deliveries: [
        { userId: 'u1', triggerId: 'trg-1', webhookUrl: 'https://app.example.com/hooks/gh?secret=xyz', createdAt: at(1010), attempts: [{ startedAt: at(1010), endedAt: at(1050), statusCode: 500 }, { startedAt: at(2000), endedAt: at(2030), statusCode: 200 }] },
        { userId: 'u2', triggerId: 'trg-2', webhookUrl: 'https://app.example.com/hooks/gh', createdAt: at(1010), attempts: [{ startedAt: at(1010), endedAt: at(1020), error: 'ECONNREFUSED' }] },
      ],
    });
    await pipeline.flush();
    const sub = await pipeline.timeline(triggerSubscriptionTraceId('trg-1'));
    expect(messages(sub)).toEqual([
      ['INFO', 'Subscribed to trigger (WEBHOOK)'],
      ['ERROR', 'Failed to create webhook in github'],
      ['INFO', 'Created webhook in github'],
    ]);
    const t = await pipeline.timeline(triggerEventTraceId('tev-1'));
    expect(t.spans[0]!.attributes).toMatchObject({ [sc.ATTR_FLOWTRACE_STATUS]: 'Delivery Failures', [sc.ATTR_FLOWTRACE_DELIVERY_COUNT]: '2', [sc.ATTR_FLOWTRACE_DELIVERY_FAILED_COUNT]: '1', [sc.ATTR_FLOWTRACE_DETECTION]: 'new' });
    expect(byName(t, 'deliver to u1').attributes).toMatchObject({ [sc.ATTR_FLOWTRACE_STATUS]: 'SUCCEEDED', [sc.ATTR_FLOWTRACE_DELIVERY_WEBHOOK_URL]: 'https://app.example.com/hooks/gh?secret=REDACTED', [sc.ATTR_FLOWTRACE_DELIVERY_ATTEMPT]: '2' });
    expect(byName(t, 'deliver to u2').status.code).toBe('Error');
    expect(t.logs.map((l) => l.body)).toEqual([
      'New record detected by polling',
      'Failed to deliver trigger event to webhook URL',
      'Failed to deliver trigger event to webhook URL',
      'Delivered trigger event to webhook URL',
    ]);
  });
});

describe('Managed Sync', () => {
  it('lifecycle, warnings with retry metadata, webhook failures, summary counts', async () => {
    flowtrace.recordSyncRun({
      syncId: 'sync-1',
      runId: 'run-1',
      userId: 'user-1',
      integration: 'googledrive',
      pipeline: 'files',
      syncType: 'INITIAL',
      syncStatus: 'ACTIVE',
      startedAt: at(0),
      endedAt: at(60_000),
      summary: { created: 120, updated: 3, deleted: 1, processed: 124, changes: 124 },
      warnings: [{ at: at(10_000), syncEvent: 'SYNC_RUN_RATE_LIMITED', message: 'Rate limited by Google Drive', httpStatus: 429, backoffMs: 30_000, nextRetryAt: at(40_000), attempt: 1, maxAttempts: 5 }],
      webhookFailures: [
        { at: at(61_000), message: 'Webhook returned 502', statusCode: 502, attempt: 1, maxAttempts: 3, nextRetryAt: at(71_000) },
        { at: at(91_000), message: 'Webhook returned 502', statusCode: 502, attempt: 3, maxAttempts: 3 },
      ],
    });
    await pipeline.flush();
    const t = await pipeline.timeline(syncRunTraceId('sync-1', 'run-1'));
    expect(t.spans[0]!.attributes).toMatchObject({
      [sc.ATTR_FLOWTRACE_KIND]: 'sync_run',
      [sc.ATTR_FLOWTRACE_SYNC_ID]: 'sync-1',
      [sc.ATTR_FLOWTRACE_SYNC_PIPELINE]: 'files',
      [sc.ATTR_FLOWTRACE_SYNC_TYPE]: 'INITIAL',
      [sc.ATTR_FLOWTRACE_SYNC_STATUS]: 'ACTIVE',
      [sc.ATTR_FLOWTRACE_SYNC_CREATED]: '120',
      [sc.ATTR_FLOWTRACE_SYNC_PROCESSED]: '124',
      [sc.ATTR_FLOWTRACE_SYNC_DURATION_MS]: '60000',
    });
    expect(t.logs.map((l) => [l.eventName, l.severityText])).toEqual([
      ['INITIAL_SYNC_STARTED', 'INFO'],
      ['SYNC_RUN_RATE_LIMITED', 'WARN'],
      ['INITIAL_SYNC_COMPLETED', 'INFO'],
      ['SYNC_WEBHOOK_FAILED', 'WARN'],
      ['SYNC_WEBHOOK_FAILED', 'ERROR'],
    ]);
    expect(t.logs[1]!.attributes).toMatchObject({
      [sc.ATTR_FLOWTRACE_SYNC_STATUS]: 'RATE_LIMITED',
      [sc.ATTR_FLOWTRACE_ERROR_RECOVERABILITY]: 'RECOVERABLE',
      [sc.ATTR_FLOWTRACE_RETRY_BACKOFF_MS]: '30000',
      [sc.ATTR_FLOWTRACE_RETRY_NEXT_AT]: '2026-11-20T10:00:40.000Z',
      [sc.ATTR_FLOWTRACE_RETRY_ATTEMPT]: '1',
      [sc.ATTR_FLOWTRACE_RETRY_MAX_ATTEMPTS]: '5',
      [sc.ATTR_FLOWTRACE_ERROR_HTTP_STATUS]: '429',
    });
    expect(t.logs[4]!.attributes[sc.ATTR_FLOWTRACE_ERROR_RECOVERABILITY]).toBe('TERMINAL');
  });
});

describe('credential refresh', () => {
  it('attempted, then failed or succeeded', async () => {
    flowtrace.recordCredentialRefresh({ refreshId: 'cr-1', credentialId: 'cred-1', integration: 'salesforce', userId: 'u1', attemptedAt: at(0), endedAt: at(200), succeeded: false, error: { message: 'invalid_grant', httpStatus: 400 } });
    await pipeline.flush();
    const traceId = credentialRefreshTrace({ refreshId: 'cr-1', credentialId: 'cred-1', integration: 'salesforce', attemptedAt: at(0), endedAt: at(200), succeeded: false }).traceId;
    expect(messages(await pipeline.timeline(traceId))).toEqual([
      ['INFO', 'Attempted to refresh credential'],
      ['ERROR', 'Failed to refresh credential'],
    ]);
  });
});

describe('agent runs', () => {
  it('invoke_agent with chat, execute_tool (linked to its skill job), guardrails, messages and structured output', async () => {
    flowtrace.recordAgentRun({
      runId: 'run-a',
      agentId: '2341',
      agentName: 'IT support',
      conversationId: 'conv-1',
      userId: 'user-1',
      appType: 'slack',
      trigger: 'user',
      startedAt: at(0),
      endedAt: at(17_500),
      status: 'SUCCESS',
      topic: { at: at(11_000), topic: 'Data backup using OneDrive' },
      messages: [{ at: at(500), role: 'user', text: 'How do I back up my data?' }],
      llmCalls: [
        { callId: 'llm-1', stage: 'USER_QUERY', model: 'bedrock/claude-sonnet-4-6', startedAt: at(600), endedAt: at(3400), inputTokens: 3412, outputTokens: 113, result: 'SUCCESS', prompt: 'secret prompt' },
      ],
      toolExecutions: [{ callId: 'tooluse_1', name: 'Log support ticket', type: 'EXTERNAL', startedAt: at(3500), endedAt: at(9000), result: 'SUCCESS', skillJobId: 'j-AaHGJpoK-n3dWo9-B6' }],
      guardrails: [{ at: at(590), policyType: 'harmful_content', action: 'passed', direction: 'input', executionTimeMs: 397.6, stepId: 'llm-1' }],
      structuredOutput: { startedAt: at(17_000), endedAt: at(17_400), schema: '{"type":"object"}' },
    });
    await pipeline.flush();
    const t = await pipeline.timeline(agentRunTraceId('run-a'));
    expect(t.spans.map((s) => [s.name, s.depth])).toEqual([
      ['invoke_agent IT support', 0],
      ['guardrail harmful_content', 2],
      ['chat bedrock/claude-sonnet-4-6', 1],
      ['execute_tool Log support ticket', 1],
      ['format_output', 1],
    ]);
    const chat = byName(t, 'chat bedrock/claude-sonnet-4-6');
    expect(chat.attributes).toEqual({
      [sc.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [sc.ATTR_GEN_AI_REQUEST_MODEL]: 'bedrock/claude-sonnet-4-6',
      [sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: '3412',
      [sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: '113',
      [sc.ATTR_FLOWTRACE_LLM_STAGE]: 'USER_QUERY',
      [sc.ATTR_FLOWTRACE_LLM_CALL_ID]: 'llm-1',
      [sc.ATTR_FLOWTRACE_CALL_RESULT]: 'SUCCESS',
    });
    expect(chat.kind).toBe('Client');
    const tool = byName(t, 'execute_tool Log support ticket');
    expect(tool.links).toEqual([{ traceId: jobTraceId('j-AaHGJpoK-n3dWo9-B6'), spanId: rootSpanIdOf(jobTraceId('j-AaHGJpoK-n3dWo9-B6')), traceState: '', attributes: { [sc.ATTR_FLOWTRACE_LINK]: 'skill_job' } }]);
    expect(tool.attributes).toMatchObject({ [sc.ATTR_FLOWTRACE_TOOL_TYPE]: 'EXTERNAL', [sc.ATTR_GEN_AI_TOOL_CALL_ID]: 'tooluse_1' });
    const root = t.spans[0]!;
    expect(root.attributes).toMatchObject({ [sc.ATTR_GEN_AI_AGENT_ID]: '2341', [sc.ATTR_GEN_AI_CONVERSATION_ID]: 'conv-1', [sc.ATTR_FLOWTRACE_TOPIC]: 'Data backup using OneDrive', [sc.ATTR_FLOWTRACE_KIND]: 'agent_run' });
    expect(t.logs.map((l) => l.eventName)).toEqual([
      'genie_run_start',
      'user_message',
      'guardrail_evaluated',
      'llm_call_started',
      'llm_call_completed',
      'tool_execution_started',
      'genie_skill_run',
      'tool_execution_completed',
      'topic_assigned',
      'structured_output_formatting_started',
      'structured_output_formatting_completed',
      'genie_run_finish',
    ]);
    // No prompt or message text without opt-in.
    expect(JSON.stringify(t)).not.toContain('secret prompt');
    expect(JSON.stringify(t)).not.toContain('How do I back up my data?');
  });
});

describe('recipe jobs', () => {
  it('lines as child spans, relations as links, masked data honoured, lines omitted kept as context', async () => {
    const capturing = new Flowtrace({ captureContent: true });
    capturing.recordRecipeJob({
      jobId: 'j-1',
      recipeId: '3026581',
      recipeName: 'Update customer contact details',
      status: 'failed',
      startedAt: at(0),
      completedAt: at(1000),
      masterJobId: 'j-master',
      callingJobId: 'j-caller',
      isRepeat: true,
      repeatCount: 2,
      errorType: 'Bad data sent to API server',
      error: { message: 'Invalid Salesforce ID value(s) for: AccountId', adapter: 'salesforce', lineNumber: 1, httpStatus: 400 },
      lines: [
        { lineNumber: 0, adapter: 'workato_recipe_function', operation: 'execute', input: { id: '2d02d10dj28' }, stats: { total: 0.25 } },
        { lineNumber: 1, adapter: 'salesforce', operation: 'create_custom_object', input: { AccountId: '2d02d10dj28' }, maskData: true, error: 'Invalid Salesforce ID value(s) for: AccountId', stats: { total: 0.5 } },
      ],
    });
    capturing.recordRecipeJob({ jobId: 'j-big', recipeId: '9', status: 'succeeded', startedAt: at(0), completedAt: at(5), linesOmitted: true });
    await pipeline.flush();
    const t = await pipeline.timeline(jobTraceId('j-1'));
    expect(t.spans.map((s) => [s.name, s.durationMs])).toEqual([
      ['job Update customer contact details', 1000],
      ['workato_recipe_function.execute', 250],
      ['salesforce.create_custom_object', 500],
    ]);
    expect(t.spans[0]!.links.map((l) => l.attributes[sc.ATTR_FLOWTRACE_LINK])).toEqual(['master_job', 'calling_job']);
    expect(t.spans[0]!.attributes).toMatchObject({ [sc.ATTR_FLOWTRACE_JOB_REPEAT_COUNT]: '2', [sc.ATTR_FLOWTRACE_JOB_IS_REPEAT]: 'true', 'error.type': 'Bad data sent to API server' });
    expect(t.spans[1]!.attributes[sc.ATTR_FLOWTRACE_INPUT]).toBe('{"id":"2d02d10dj28"}');
    expect(t.spans[2]!.attributes[sc.ATTR_FLOWTRACE_INPUT]).toBeUndefined();
    expect(t.spans[2]!.attributes[sc.ATTR_FLOWTRACE_MASK_DATA]).toBe('true');
    const big = await pipeline.timeline(jobTraceId('j-big'));
    expect(big.logs.map((l) => l.body)).toContain('Log lines exceed size limit');
    expect(big.spans[0]!.attributes[sc.ATTR_FLOWTRACE_JOB_LINES_OMITTED]).toBe('true');
  });
});
