import {
  agentRunTrace,
  credentialRefreshTrace,
  recipeJobTrace,
  syncRunTrace,
  toolCallTrace,
  triggerTrace,
  triggerEventTrace,
  workflowExecutionTrace,
  type AgentRun,
  type CredentialRefresh,
  type RecipeJob,
  type SyncRun,
  type ToolCall,
  type TriggerRun,
  type TraceSpec,
  type TriggerEvent,
  type WorkflowExecution,
} from '@flowtrace/conventions';

/**
 * A demo-like project, deterministic: what the query API's tests ingest and
 * then ask about. Every record is kept here too, so a test derives the answer
 * it expects from the records instead of writing it down.
 */
export interface Dataset {
  executions: WorkflowExecution[];
  toolCalls: ToolCall[];
  triggerEvents: TriggerEvent[];
  syncRuns: SyncRun[];
  agentRuns: AgentRun[];
  refreshes: CredentialRefresh[];
  /** App Event trigger runs: the App Event's name on every log. */
  appEvents: TriggerRun[];
  /** Workato recipe jobs: a master job and its repeats, recipe-function jobs it called, a failure, a test job. */
  jobs: RecipeJob[];
  /** Every record as a trace, for sending. */
  traces: TraceSpec[];
}

export const INTEGRATIONS = ['salesforce', 'hubspot', 'slack', 'jira'] as const;
export const USERS = ['user-1', 'user-2', 'user-3', 'user-4', 'user-5'] as const;
export const WORKFLOWS = ['wf-sync-contacts', 'wf-notify', 'wf-ticket'] as const;
const MINUTE = 60_000;

/** `size` workflow executions spread over the three days before `endMs`, with the other families beside them. */
export function buildDataset(endMs: number, size = 250, capture = { captureContent: true }): Dataset {
  const startMs = endMs - 3 * 24 * 60 * MINUTE;
  const step = Math.floor((endMs - startMs) / size);
  const executions: WorkflowExecution[] = [];
  for (let i = 0; i < size; i++) {
    const startedAt = startMs + i * step + (i % 7) * 1000;
    const status = i % 5 === 0 ? 'FAILED' : i % 23 === 0 ? 'CANCELLED' : 'SUCCEEDED';
    const endedAt = startedAt + 500 + (i % 10) * 100;
    executions.push({
      executionId: `exec-${String(i).padStart(4, '0')}`,
      workflowId: WORKFLOWS[i % WORKFLOWS.length]!,
      workflowName: `Workflow ${i % WORKFLOWS.length}`,
      userId: USERS[i % USERS.length]!,
      integration: INTEGRATIONS[i % INTEGRATIONS.length]!,
      status,
      startedAt,
      endedAt,
      taskCount: i % 4,
      steps: [
        { stepId: 'step-fetch', name: 'Fetch records', status: 'SUCCEEDED', startedAt: startedAt + 10, endedAt: startedAt + 200, taskCount: 1, input: { query: `q-${i}` }, output: { records: i % 3 },
          requests: [{ method: 'GET', url: `https://api.example.com/records?page=${i}`, statusCode: 200, startedAt: startedAt + 20, endedAt: startedAt + 150 }] },
        { stepId: 'step-send', name: 'Send to app', status: status === 'FAILED' ? 'FAILED' : 'SUCCEEDED', startedAt: startedAt + 210, endedAt: endedAt - 10,
          error: status === 'FAILED' ? 'Request failed with status 502' : undefined,
          requests: [{ method: 'POST', url: 'https://app.example.com/hook', statusCode: status === 'FAILED' ? 502 : 201, startedAt: startedAt + 220, endedAt: endedAt - 20,
            responseBody: status === 'FAILED' ? { message: 'Bad gateway' } : undefined }] },
      ],
      error: status === 'FAILED' ? 'Request failed with status 502' : undefined,
    });
  }

  const toolCalls: ToolCall[] = Array.from({ length: 24 }, (_, i) => {
    const receivedAt = startMs + i * 3 * 60 * MINUTE;
    const failed = i % 4 === 1;
    return {
      requestId: `4c7445d2-1972-4ed6-9e47-${String(46053 + i).padStart(12, '0')}`,
      operation: 'Run Tool',
      toolName: i % 2 === 0 ? 'SALESFORCE_CREATE_RECORD' : 'SLACK_SEND_MESSAGE',
      integration: i % 2 === 0 ? 'salesforce' : 'slack',
      userId: USERS[i % USERS.length]!,
      receivedAt,
      endedAt: receivedAt + 800,
      status: failed ? 'FAILED' : 'SUCCEEDED',
      error: failed ? { message: 'Team not authorized', code: 'OAUTH_027', httpStatus: 403 } : undefined,
      requests: [{ method: 'POST', url: 'https://api.example.com/v1/records', statusCode: failed ? 403 : 201, startedAt: receivedAt + 100, endedAt: receivedAt + 600,
        responseBody: failed ? { err: 'Team not authorized', ECODE: 'OAUTH_027' } : undefined }],
      events: [{ at: receivedAt + 50, message: 'Credential loaded' }],
    };
  });

  const triggerEvents: TriggerEvent[] = Array.from({ length: 12 }, (_, i) => {
    const receivedAt = startMs + i * 5 * 60 * MINUTE + 30 * MINUTE;
    const kind = i % 4;
    const attempt = (ok: boolean) => ({ startedAt: receivedAt + 100, endedAt: receivedAt + 300, statusCode: ok ? 200 : 500, error: ok ? undefined : 'HTTP 500' });
    return {
      eventId: `evt-${i}`,
      integration: i % 2 === 0 ? 'hubspot' : 'jira',
      receivedAt,
      source: i % 3 === 0 ? { model: 'WEBHOOK' } : { model: 'POLLING', detection: 'new', recordId: `rec-${i}` },
      processingError: kind === 2 ? 'Unexpected payload shape' : undefined,
      deliveries:
        kind === 3
          ? [{ userId: USERS[0], triggerId: 'trg-1', webhookUrl: 'https://app.example.com/webhooks/1', createdAt: receivedAt + 50, attempts: [] }]
          : kind === 2
            ? []
            : [
                { userId: USERS[i % 5]!, triggerId: 'trg-1', webhookUrl: 'https://app.example.com/webhooks/1', createdAt: receivedAt + 50, attempts: [attempt(true)] },
                ...(kind === 1 ? [{ userId: USERS[(i + 1) % 5]!, triggerId: 'trg-2', webhookUrl: 'https://app.example.com/webhooks/2', createdAt: receivedAt + 60, attempts: [attempt(false), attempt(false)] }] : []),
              ],
    } satisfies TriggerEvent;
  });

  const syncRuns: SyncRun[] = Array.from({ length: 6 }, (_, i) => {
    const startedAt = startMs + i * 10 * 60 * MINUTE + 45 * MINUTE;
    const syncId = i < 4 ? 'sync-contacts-1' : 'sync-files-2';
    const rateLimited = i === 1;
    const errored = i === 3;
    return {
      syncId,
      runId: `run-${i}`,
      userId: USERS[i % 2]!,
      integration: i < 4 ? 'salesforce' : 'googledrive',
      pipeline: i < 4 ? 'contacts' : 'files',
      syncType: i === 0 || i === 4 ? 'INITIAL' : 'INCREMENTAL',
      syncStatus: errored ? 'ERRORED' : rateLimited ? 'RATE_LIMITED' : 'IDLE',
      startedAt,
      endedAt: startedAt + 4 * MINUTE,
      summary: errored ? undefined : { created: 10 + i, updated: i, deleted: 0, processed: 10 + 2 * i, changes: 10 + 2 * i },
      warnings: rateLimited
        ? [{ at: startedAt + MINUTE, syncEvent: 'SYNC_RUN_RATE_LIMITED', message: 'Rate limited by Salesforce', syncStatus: 'RATE_LIMITED', httpStatus: 429, backoffMs: 30_000, nextRetryAt: startedAt + MINUTE + 30_000, attempt: 1, maxAttempts: 5 }]
        : [],
      errors: errored ? [{ at: startedAt + 2 * MINUTE, syncEvent: 'SYNC_RUN_ERROR', message: 'Invalid credentials', errorCode: 'AUTH_FAILED', httpStatus: 401, recoverability: 'TERMINAL' }] : [],
    };
  });

  const agentRuns: AgentRun[] = Array.from({ length: 6 }, (_, i) => {
    const startedAt = startMs + i * 7 * 60 * MINUTE + 15 * MINUTE;
    return {
      runId: `run-agent-${i}`,
      agentId: i % 2 === 0 ? 'agent-support' : 'agent-sales',
      agentName: i % 2 === 0 ? 'Support agent' : 'Sales agent',
      conversationId: `conv-${i % 3}`,
      userId: USERS[i % 3]!,
      startedAt,
      endedAt: startedAt + 20_000,
      status: i === 4 ? 'FAILED' : 'SUCCESS',
      messages: [{ at: startedAt, role: 'user', text: 'Create a ticket' }],
      llmCalls: [
        { callId: `llm-${i}-1`, stage: 'USER_QUERY', model: 'bedrock/claude-sonnet-4-6', startedAt: startedAt + 100, endedAt: startedAt + 2100, inputTokens: 1200 + i, outputTokens: 80, result: 'SUCCESS' },
        { callId: `llm-${i}-2`, stage: 'AGENT_RESPONSE', model: 'bedrock/claude-sonnet-4-6', startedAt: startedAt + 9000, endedAt: startedAt + 12_000, inputTokens: 2000, outputTokens: 150, result: i === 4 ? 'FAILED' : 'SUCCESS' },
      ],
      toolExecutions: [{ callId: `tool-${i}`, name: 'create_ticket', type: 'EXTERNAL', startedAt: startedAt + 2200, endedAt: startedAt + 8800, result: 'SUCCESS', skillJobId: `job-${i}` }],
      guardrails: [{ at: startedAt + 2150, policyType: 'pii', action: 'passed', direction: 'input', stepId: `llm-${i}-1` }],
    };
  });

  const refreshes: CredentialRefresh[] = Array.from({ length: 4 }, (_, i) => ({
    credentialId: `cred-${i}`,
    integration: 'salesforce',
    userId: USERS[i]!,
    attemptedAt: startMs + i * 9 * 60 * MINUTE,
    endedAt: startMs + i * 9 * 60 * MINUTE + 400,
    succeeded: i !== 2,
    error: i === 2 ? { message: 'invalid_grant', code: 'invalid_grant', httpStatus: 400 } : undefined,
  }));

  const jobAt = (i: number) => startMs + i * 4 * 60 * MINUTE + 50 * MINUTE;
  const jobs: RecipeJob[] = [
    { jobId: 'j-master-1', recipeId: '3026585', recipeName: 'Sync customers', status: 'succeeded', startedAt: jobAt(0), completedAt: jobAt(0) + 4000, masterJobId: 'j-master-1', rootJobId: 'j-master-1', actionCount: 3, user: { id: '33359' },
      lines: [{ lineNumber: 0, adapter: 'scheduler', operation: 'trigger', stats: { total: 0.5 } }, { lineNumber: 1, adapter: 'workato_recipe_function', operation: 'call_recipe', stats: { total: 2 } }] },
    { jobId: 'j-fn-1', recipeId: '3026581', recipeName: 'Update customer contact details', status: 'succeeded', startedAt: jobAt(0) + 1000, completedAt: jobAt(0) + 2000, callingJobId: 'j-master-1', callingRecipeId: '3026585', rootJobId: 'j-master-1', rootRecipeId: '3026585', masterJobId: 'j-fn-1', user: { id: '33359' } },
    { jobId: 'j-fn-2', recipeId: '3026581', recipeName: 'Update customer contact details', status: 'failed', startedAt: jobAt(0) + 2500, completedAt: jobAt(0) + 3000, callingJobId: 'j-master-1', callingRecipeId: '3026585', rootJobId: 'j-master-1', rootRecipeId: '3026585', masterJobId: 'j-fn-2',
      errorType: 'Bad data sent to API server', error: { message: 'Invalid Salesforce ID value(s) for: AccountId', adapter: 'salesforce', action: 'create_custom_object', lineNumber: 2, httpStatus: 400 }, user: { id: '33359' },
      lines: [{ lineNumber: 0, adapter: 'workato_recipe_function', operation: 'execute', stats: { total: 0.1 } }, { lineNumber: 2, adapter: 'salesforce', operation: 'create_custom_object', error: 'Invalid Salesforce ID value(s) for: AccountId', stats: { total: 0.3 } }] },
    { jobId: 'j-repeat-1', recipeId: '3026585', recipeName: 'Sync customers', status: 'succeeded', startedAt: jobAt(1), completedAt: jobAt(1) + 1500, masterJobId: 'j-master-1', parentJobId: 'j-master-1', isRepeat: true, repeatCount: 1, user: { id: '33359' } },
    { jobId: 'j-repeat-2', recipeId: '3026585', recipeName: 'Sync customers', status: 'failed', startedAt: jobAt(2), completedAt: jobAt(2) + 900, masterJobId: 'j-master-1', parentJobId: 'j-repeat-1', isRepeat: true, repeatCount: 2, errorType: 'Timeout', error: { message: 'Request timed out' }, user: { id: '41000' } },
    { jobId: 'j-test-1', recipeId: '35428227', recipeName: '[CICD] Deploy via Projects', status: 'succeeded', startedAt: jobAt(3), completedAt: jobAt(3) + 700, isTest: true, user: { id: '41000' } },
  ];

  const appEvents: TriggerRun[] = Array.from({ length: 3 }, (_, i) => {
    const at = startMs + i * 11 * 60 * MINUTE + 20 * MINUTE;
    return {
      type: 'App Event',
      id: `app-event-${i}`,
      eventId: `app-event-${i}`,
      eventName: i === 1 ? 'Contact Updated' : 'Deal Created',
      userId: USERS[i]!,
      integration: 'salesforce',
      startedAt: at,
      submissions: i === 2 ? [] : [{ workflowId: WORKFLOWS[i]!, submittedAt: at + 30, error: i === 1 ? 'Workflow is disabled' : undefined }],
      outcome: i === 2 ? 'NO_WORKFLOWS_SUBSCRIBED' : undefined,
    } satisfies TriggerRun;
  });

  const traces = [
    ...executions.map((e) => workflowExecutionTrace(e, capture)),
    ...toolCalls.map((c) => toolCallTrace(c, capture)),
    ...triggerEvents.map((e) => triggerEventTrace(e, capture)),
    ...syncRuns.map((r) => syncRunTrace(r)),
    ...agentRuns.map((r) => agentRunTrace(r, capture)),
    ...refreshes.map((r) => credentialRefreshTrace(r)),
    ...jobs.map((j) => recipeJobTrace(j, capture)),
    ...appEvents.map((r) => triggerTrace(r, capture)),
  ];
  return { executions, toolCalls, triggerEvents, syncRuns, agentRuns, refreshes, appEvents, jobs, traces };
}
