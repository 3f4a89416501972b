import { randomUUID } from 'node:crypto';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import {
  FLOWTRACE_ID_GENERATOR,
  INSTRUMENTATION_NAME,
  INSTRUMENTATION_VERSION,
  agentRunTrace,
  credentialRefreshTrace,
  emitLog,
  emitTrace,
  recipeJobTrace,
  syncRunTrace,
  toolCallTrace,
  triggerEventTrace,
  triggerSubscriptionTrace,
  triggerTrace,
  triggerTraceId,
  userActivityLog,
  workflowExecutionTrace,
  type CaptureOptions,
  type TraceSpec,
} from '@flowtrace/instrumentation';
import { Progress } from './progress.js';

export interface DemoOptions {
  endpoint: string;
  apiUrl: string;
  adminToken: string;
  /** Executions of each family per project. Default 12. */
  scale?: number;
}

export interface DemoProject {
  id: string;
  name: string;
  key: string;
  /** One trace id per family, to open first. */
  traces: Record<string, string>;
  counts: Record<string, number>;
}

/** A seeded generator: the same demo every time, but for the ids. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}

const TENANTS = [
  { name: 'Demo: Acme CRM automations', integrations: ['salesforce', 'hubspot', 'slack'], users: 8 },
  { name: 'Demo: Globex AI agents', integrations: ['zendesk', 'jira', 'googledrive', 'notion'], users: 6 },
];
const WORKFLOWS = ['Sync new deals', 'Create ticket from chat', 'Enrich new contacts', 'Post order updates', 'Backfill invoices'];
const TOOLS = ['SALESFORCE_CREATE_RECORD', 'HUBSPOT_SEARCH_CONTACTS', 'SLACK_SEND_MESSAGE', 'JIRA_CREATE_ISSUE', 'ZENDESK_UPDATE_TICKET', 'GOOGLE_DRIVE_SEARCH_FILES'];
const PIPELINES = ['contacts', 'files', 'tickets', 'deals'];

/**
 * Creates demo projects through the admin API and sends each a day of realistic
 * traffic through the OpenTelemetry SDK: trigger runs, workflow executions,
 * ActionKit tool calls and trigger events, Managed Sync runs, credential
 * refreshes, agent runs and recipe jobs, with failures, retries, rate limits
 * and delivery failures among them.
 */
export async function runDemo(options: DemoOptions): Promise<DemoProject[]> {
  const scale = options.scale ?? 12;
  const projects: DemoProject[] = [];
  const progress = new Progress('demo', TENANTS.length * scale * 8);
  for (const [t, tenant] of TENANTS.entries()) {
    const project = await createProject(options, tenant.name);
    const sink = openSink(options.endpoint, project.key, t === 0 ? 'acme-integrations' : 'globex-agents');
    const rnd = prng(42 + t);
    const now = Date.now();
    const user = () => `user-${t + 1}-${rnd.int(1, tenant.users)}`;
    const integration = () => rnd.pick(tenant.integrations);
    const when = () => now - rnd.int(60_000, 23 * 3_600_000);
    const capture: CaptureOptions = { captureContent: true };
    const record = (family: string, spec: TraceSpec) => {
      sink.emit(spec);
      project.counts[family] = (project.counts[family] ?? 0) + 1;
      project.traces[family] ??= spec.traceId;
    };

    for (let i = 0; i < scale; i++) {
      // A trigger run and the workflow execution it starts.
      const start = when();
      const executionId = randomUUID();
      const triggerType = rnd.pick(['App Event', 'Webhook', 'Scheduler', 'Request', 'Integration Enabled'] as const);
      const runId = randomUUID();
      const integ = integration();
      const uid = user();
      const failed = rnd.chance(0.25);
      const rateLimited = rnd.chance(0.2);
      record('trigger', triggerTrace({
        type: triggerType,
        id: runId,
        userId: uid,
        integration: integ,
        eventName: triggerType === 'App Event' ? rnd.pick(['Deal Created', 'Contact Updated', 'Order Placed']) : undefined,
        startedAt: start,
        endedAt: start + 40,
        records: triggerType === 'Webhook' ? [{ recordId: `rec-${i}`, fanout: 'user', userId: uid, processedAt: start + 10, submissions: [{ workflowId: `wf-${i % WORKFLOWS.length}`, executionId, submittedAt: start + 20 }] }] : undefined,
        submissions: triggerType === 'Webhook' ? undefined : [{ workflowId: `wf-${i % WORKFLOWS.length}`, executionId, submittedAt: start + 20 }],
      }));
      const steps = rnd.int(2, 4);
      const stepList = Array.from({ length: steps }, (_, s) => {
        const stepStart = start + 100 + s * 400;
        const last = s === steps - 1;
        const status = failed && last ? ('FAILED' as const) : ('SUCCEEDED' as const);
        const code = failed && last ? (rateLimited ? 429 : 400) : 200;
        return {
          stepId: `${executionId}-s${s}`,
          name: s === 0 ? `${integ}: Search records` : `${integ}: ${rnd.pick(['Create record', 'Update record', 'Send message'])}`,
          status,
          startedAt: stepStart,
          endedAt: stepStart + rnd.int(80, 380),
          error: status === 'FAILED' ? (code === 429 ? 'Rate limit exceeded' : 'REQUIRED_FIELD_MISSING: Name') : undefined,
          input: { recordId: `rec-${i}-${s}`, access_token: 'demo-secret-token' },
          output: status === 'SUCCEEDED' ? { id: `out-${i}-${s}` } : undefined,
          requests: [{ method: s === 0 ? 'GET' : 'POST', url: `https://api.${integ}.example.com/v2/records${s === 0 ? '?q=open' : ''}`, statusCode: code, startedAt: stepStart + 10, endedAt: stepStart + 70, responseBody: code >= 400 ? { error: code === 429 ? 'Too Many Requests' : 'Missing required field: Name' } : undefined }],
        };
      });
      record('workflow_execution', workflowExecutionTrace({
        executionId,
        workflowId: `wf-${i % WORKFLOWS.length}`,
        workflowName: WORKFLOWS[i % WORKFLOWS.length],
        userId: uid,
        integration: integ,
        status: failed ? 'FAILED' : 'SUCCEEDED',
        startedAt: start + 30,
        endedAt: start + 200 + steps * 400,
        trigger: { type: triggerType, runId, traceId: triggerTraceId(triggerType, runId) },
        steps: stepList,
      }, capture));
      progress.advance(2);

      // An ActionKit tool call.
      const toolStart = when();
      const tool = rnd.pick(TOOLS);
      const toolFailed = rnd.chance(0.2);
      record('tool_call', toolCallTrace({
        requestId: randomUUID(),
        operation: rnd.chance(0.15) ? 'List Tools' : 'Run Tool',
        toolName: tool,
        integration: tool.split('_')[0]!.toLowerCase(),
        userId: user(),
        receivedAt: toolStart,
        endedAt: toolStart + rnd.int(200, 1500),
        status: toolFailed ? 'FAILED' : 'SUCCEEDED',
        error: toolFailed ? { message: 'Unable to update Task', code: 'OAUTH_027', httpStatus: 500 } : undefined,
        requests: [{ method: 'POST', url: `https://api.example.com/${tool.toLowerCase()}`, statusCode: toolFailed ? 401 : 200, startedAt: toolStart + 20, endedAt: toolStart + 180, responseBody: toolFailed ? { err: 'Team not authorized', ECODE: 'OAUTH_027' } : undefined }],
      }, capture));

      // A trigger event and its deliveries, some failing and retried.
      const eventStart = when();
      const deliveries = Array.from({ length: rnd.int(1, 3) }, (_, d) => {
        const deliveryFails = rnd.chance(0.25);
        const retried = deliveryFails && rnd.chance(0.5);
        const attempts = [{ startedAt: eventStart + 50, endedAt: eventStart + 120, statusCode: deliveryFails ? 503 : 200 }];
        if (retried) attempts.push({ startedAt: eventStart + 60_050, endedAt: eventStart + 60_090, statusCode: 200 });
        return { userId: user(), triggerId: `trg-${d}`, webhookUrl: `https://app.${tenant.name.includes('Acme') ? 'acme' : 'globex'}.example.com/hooks/paragon`, createdAt: eventStart + 40, attempts };
      });
      record('trigger_event', triggerEventTrace({
        eventId: randomUUID(),
        integration: integration(),
        receivedAt: eventStart,
        source: rnd.chance(0.5) ? { model: 'POLLING', detection: rnd.pick(['new', 'updated'] as const), recordId: `rec-${i}` } : { model: 'WEBHOOK' },
        deliveries,
        processingError: rnd.chance(0.05) ? 'Payload could not be parsed' : undefined,
      }, capture));
      if (i % 4 === 0) {
        record('trigger_subscription', triggerSubscriptionTrace({ triggerId: `trg-${i}-${t}`, integration: integration(), userId: user(), model: 'WEBHOOK', createdAt: when(), webhookCreationAttempts: rnd.chance(0.3) ? [{ at: now - 3_600_000, succeeded: false, statusCode: 403, error: 'Resource not accessible by integration' }] : [{ at: now - 3_600_000, succeeded: true }] }));
      }
      progress.advance(2);

      // A Managed Sync iteration: rate limits, retries, errors.
      const syncStart = when();
      const syncErrored = rnd.chance(0.15);
      const syncRateLimited = rnd.chance(0.3);
      record('sync_run', syncRunTrace({
        syncId: `sync-${t}-${i % 5}`,
        runId: randomUUID(),
        userId: user(),
        integration: integration(),
        pipeline: rnd.pick(PIPELINES),
        syncType: rnd.pick(['INITIAL', 'INCREMENTAL', 'INCREMENTAL', 'FULL'] as const),
        syncStatus: syncErrored ? 'ERRORED' : syncRateLimited ? 'RATE_LIMITED' : 'ACTIVE',
        startedAt: syncStart,
        endedAt: syncStart + rnd.int(5_000, 120_000),
        summary: syncErrored ? undefined : { created: rnd.int(0, 200), updated: rnd.int(0, 50), deleted: rnd.int(0, 5), processed: rnd.int(200, 400), changes: rnd.int(0, 250) },
        warnings: syncRateLimited ? [{ at: syncStart + 2_000, syncEvent: 'SYNC_RUN_RATE_LIMITED', message: 'Rate limited by the provider', httpStatus: 429, backoffMs: 30_000, nextRetryAt: syncStart + 32_000, attempt: 1, maxAttempts: 5 }] : [],
        errors: syncErrored ? [{ at: syncStart + 4_000, syncEvent: 'SYNC_RUN_ERROR', message: 'Authentication failed: token revoked', errorCode: 'AUTH_REVOKED', httpStatus: 401 }] : [],
        webhookFailures: rnd.chance(0.15) ? [{ at: syncStart + 6_000, message: 'Webhook endpoint returned 502', statusCode: 502, attempt: 3, maxAttempts: 3 }] : [],
      }));
      progress.advance(1);

      // A credential refresh.
      const refreshAt = when();
      const refreshFails = rnd.chance(0.2);
      record('credential_refresh', credentialRefreshTrace({ credentialId: `cred-${t}-${i % 6}`, integration: integration(), userId: user(), attemptedAt: refreshAt, endedAt: refreshAt + 300, succeeded: !refreshFails, error: refreshFails ? { message: 'invalid_grant', httpStatus: 400 } : undefined }));

      // An agent run that calls a skill, which runs a recipe job.
      const runStart = when();
      const jobId = `j-demo-${t}-${i}-${randomUUID().slice(0, 8)}`;
      const model = rnd.pick(['bedrock/claude-sonnet-4-6', 'openai/gpt-5.1']);
      const guardrailBlocks = rnd.chance(0.1);
      record('agent_run', agentRunTrace({
        runId: randomUUID(),
        agentId: `${2341 + t}`,
        agentName: t === 0 ? 'Sales assistant' : 'IT support',
        conversationId: `conversation-${t}-${i % 4}`,
        userId: user(),
        appType: rnd.pick(['slack', 'teams', 'genie_task']),
        trigger: 'user',
        startedAt: runStart,
        endedAt: runStart + 9_000,
        status: guardrailBlocks ? 'FAILED' : 'SUCCESS',
        topic: { at: runStart + 8_000, topic: rnd.pick(['Data backup', 'Password reset', 'Pipeline review', 'Expense policy']) },
        messages: [{ at: runStart + 10, role: 'user', text: 'Can you log a ticket for my laptop?' }],
        guardrails: [{ at: runStart + 400, policyType: 'prompt_attack', action: guardrailBlocks ? 'blocked' : 'passed', direction: 'input', executionTimeMs: rnd.int(200, 400), stepId: 'llm-1' }],
        llmCalls: [
          { callId: 'llm-1', stage: 'USER_QUERY', model, startedAt: runStart + 500, endedAt: runStart + 3_000, inputTokens: rnd.int(1_000, 4_000), outputTokens: rnd.int(50, 300), result: 'SUCCESS' },
          { callId: 'llm-2', stage: 'AGENT_RESPONSE', model, startedAt: runStart + 6_200, endedAt: runStart + 8_800, inputTokens: rnd.int(1_000, 4_000), outputTokens: rnd.int(50, 300), result: 'SUCCESS' },
        ],
        toolExecutions: [{ callId: `tooluse_${i}`, name: 'Log support ticket', type: 'EXTERNAL', startedAt: runStart + 3_100, endedAt: runStart + 6_000, result: 'SUCCESS', skillJobId: jobId }],
      }, capture));
      const jobFails = rnd.chance(0.2);
      record('job', recipeJobTrace({
        jobId,
        recipeId: `${3026581 + t}`,
        recipeName: 'Log support ticket',
        recipePath: 'Home/Skills',
        status: jobFails ? 'failed' : 'succeeded',
        startedAt: runStart + 3_200,
        completedAt: runStart + 5_900,
        user: { id: `${33359 + t}`, name: 'Demo Admin' },
        errorType: jobFails ? 'Bad data sent to API server' : undefined,
        error: jobFails ? { message: 'Invalid ID value(s) for: AccountId', adapter: 'salesforce', httpStatus: 400 } : undefined,
        lines: [
          { lineNumber: 0, adapter: 'workato_genie', operation: 'start_skill', stats: { total: 0.4 } },
          { lineNumber: 1, adapter: jobFails ? 'salesforce' : 'jira', operation: 'create_record', error: jobFails ? 'Invalid ID value(s) for: AccountId' : undefined, stats: { total: 1.8 } },
        ],
      }, capture));
      progress.advance(3);
    }
    for (const event of ['user_login', 'recipe_started', 'connection_created', 'recipe_stopped']) {
      sink.log(userActivityLog({ event, at: when(), user: { id: `${33359 + t}`, name: 'Demo Admin', email: 'admin@example.com' }, resource: { type: event.startsWith('recipe') ? 'Flow' : event === 'user_login' ? 'User' : 'Connection', id: '123', name: event.startsWith('recipe') ? 'Log support ticket' : 'Salesforce' }, ipAddress: '203.0.113.7' }));
    }
    await sink.close();
    projects.push(project);
  }
  progress.finish();
  return projects;
}

async function createProject(options: DemoOptions, name: string): Promise<DemoProject> {
  const admin = { authorization: `Bearer ${options.adminToken}`, 'content-type': 'application/json' };
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await fetch(`${options.apiUrl}${path}`, { method: 'POST', headers: admin, body: JSON.stringify(body) });
    const answer = (await res.json().catch(() => ({}))) as T & { error?: { message: string } };
    if (!res.ok) throw new Error(`${options.apiUrl}${path} answered ${res.status}: ${answer.error?.message ?? 'no message'}`);
    return answer;
  };
  const project = await post<{ id: string }>('/admin/projects', { name });
  const key = await post<{ key: string }>(`/admin/projects/${project.id}/api-keys`, { name: 'demo' });
  return { id: project.id, name, key: key.key, traces: {}, counts: {} };
}

/** An OTel SDK pipeline of its own per project: its key on its exporters. */
function openSink(endpoint: string, key: string, serviceName: string) {
  const headers = { Authorization: `Bearer ${key}` };
  const resource = resourceFromAttributes({ 'service.name': serviceName, 'deployment.environment': 'demo' });
  const tracerProvider = new BasicTracerProvider({
    resource,
    idGenerator: FLOWTRACE_ID_GENERATOR,
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces`, headers }), { maxExportBatchSize: 512, maxQueueSize: 20_000 })],
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${endpoint}/v1/logs`, headers }), maxExportBatchSize: 512, maxQueueSize: 20_000 })],
  });
  const tracer = tracerProvider.getTracer(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
  const logger = loggerProvider.getLogger(INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION);
  return {
    emit: (spec: TraceSpec) => emitTrace(spec, tracer, logger),
    log: (spec: Parameters<typeof emitLog>[0]) => emitLog(spec, logger),
    close: async () => {
      await tracerProvider.forceFlush();
      await loggerProvider.forceFlush();
      await tracerProvider.shutdown();
      await loggerProvider.shutdown();
    },
  };
}
