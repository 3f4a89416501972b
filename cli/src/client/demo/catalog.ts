/**
 * What the demo's two tenants run: their integrations (each provider's API
 * as its requests and errors look), workflows, ActionKit tools, Managed Sync
 * pipelines, agents and recipes. Names, statuses and messages follow the
 * seed documents (Paragon's Event Logs, ActionKit Monitoring, Managed Sync,
 * Task History; Workato's job history and genie events).
 */

/** One API call a step or a tool makes to a provider. */
export interface Action {
  method: string;
  /** Appended to the integration's base URL; `{id}` becomes a record id. */
  path: string;
  /** The median latency; latencies are log-normal around it. */
  medianMs: number;
}

/** What a provider answers when a call fails: the message a step or tool reports, and the response body. */
export interface ProviderError {
  message: string;
  body: unknown;
}

export interface IntegrationSpec {
  name: string;
  baseUrl: string;
  actions: Record<string, Action>;
  /** ActionKit tools: their names and the action each runs. */
  tools: Array<{ name: string; action: string }>;
  /** Managed Sync pipelines. */
  pipelines: string[];
  /** How its ActionKit triggers detect data. */
  triggerModel: 'POLLING' | 'WEBHOOK';
  /** Whether its access tokens expire and get refreshed. */
  refreshes: boolean;
  /** Its answer to a bad request (400) and to a revoked token (401). */
  invalid: ProviderError;
  unauthorized: ProviderError;
}

const google = (code: number, status: string, message: string): ProviderError => ({ message: `${status}: ${message}`, body: { error: { code, message, status } } });

export const INTEGRATIONS: Record<string, IntegrationSpec> = {
  salesforce: {
    name: 'salesforce',
    baseUrl: 'https://acme.my.salesforce.com/services/data/v59.0',
    actions: {
      'Search records': { method: 'GET', path: '/query?q=SELECT+Id,Name+FROM+Opportunity+WHERE+IsClosed=false', medianMs: 240 },
      'Get record': { method: 'GET', path: '/sobjects/Opportunity/{id}', medianMs: 150 },
      'Create record': { method: 'POST', path: '/sobjects/Contact', medianMs: 320 },
      'Update record': { method: 'PATCH', path: '/sobjects/Account/{id}', medianMs: 280 },
    },
    tools: [
      { name: 'SALESFORCE_CREATE_RECORD', action: 'Create record' },
      { name: 'SALESFORCE_UPDATE_RECORD', action: 'Update record' },
      { name: 'SALESFORCE_SEARCH_RECORDS_SOQL', action: 'Search records' },
    ],
    pipelines: ['contacts', 'deals'],
    triggerModel: 'POLLING',
    refreshes: true,
    invalid: { message: 'REQUIRED_FIELD_MISSING: Required fields are missing: [LastName]', body: [{ errorCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', fields: ['LastName'] }] },
    unauthorized: { message: 'INVALID_SESSION_ID: Session expired or invalid', body: [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }] },
  },
  hubspot: {
    name: 'hubspot',
    baseUrl: 'https://api.hubapi.com/crm/v3',
    actions: {
      'Search contacts': { method: 'POST', path: '/objects/contacts/search', medianMs: 210 },
      'Create contact': { method: 'POST', path: '/objects/contacts', medianMs: 260 },
      'Update contact': { method: 'PATCH', path: '/objects/contacts/{id}', medianMs: 230 },
      'Update deal': { method: 'PATCH', path: '/objects/deals/{id}', medianMs: 230 },
    },
    tools: [
      { name: 'HUBSPOT_SEARCH_CONTACTS', action: 'Search contacts' },
      { name: 'HUBSPOT_CREATE_CONTACT', action: 'Create contact' },
      { name: 'HUBSPOT_UPDATE_DEAL', action: 'Update deal' },
    ],
    pipelines: ['contacts', 'deals'],
    triggerModel: 'WEBHOOK',
    refreshes: true,
    invalid: { message: 'VALIDATION_ERROR: Property values were not valid', body: { status: 'error', category: 'VALIDATION_ERROR', message: 'Property values were not valid: Email address is invalid (email)' } },
    unauthorized: { message: 'INVALID_AUTHENTICATION: Authentication credentials not found', body: { status: 'error', category: 'INVALID_AUTHENTICATION', message: 'Authentication credentials not found.' } },
  },
  slack: {
    name: 'slack',
    baseUrl: 'https://slack.com/api',
    actions: {
      'Send message': { method: 'POST', path: '/chat.postMessage', medianMs: 140 },
      'Look up user': { method: 'GET', path: '/users.lookupByEmail?email=jane.doe%40example.com', medianMs: 110 },
    },
    tools: [
      { name: 'SLACK_SEND_MESSAGE', action: 'Send message' },
      { name: 'SLACK_LOOKUP_USER', action: 'Look up user' },
    ],
    pipelines: [],
    triggerModel: 'WEBHOOK',
    refreshes: true,
    invalid: { message: 'channel_not_found', body: { ok: false, error: 'channel_not_found' } },
    // Seed 001's ActionKit error: "Unable to update Task", details {err: "Team not authorized", ECODE: "OAUTH_027"}.
    unauthorized: { message: 'Team not authorized', body: { err: 'Team not authorized', ECODE: 'OAUTH_027' } },
  },
  gmail: {
    name: 'gmail',
    baseUrl: 'https://gmail.googleapis.com/gmail/v1/users/me',
    actions: {
      'Get message': { method: 'GET', path: '/messages/{id}?format=metadata', medianMs: 180 },
      'Modify labels': { method: 'POST', path: '/messages/{id}/modify', medianMs: 160 },
      'Send email': { method: 'POST', path: '/messages/send', medianMs: 420 },
    },
    tools: [{ name: 'GMAIL_SEND_EMAIL', action: 'Send email' }],
    pipelines: [],
    triggerModel: 'POLLING',
    refreshes: true,
    invalid: google(400, 'INVALID_ARGUMENT', 'Invalid To header'),
    unauthorized: google(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'),
  },
  googlesheets: {
    name: 'googlesheets',
    baseUrl: 'https://sheets.googleapis.com/v4/spreadsheets',
    actions: { 'Append row': { method: 'POST', path: '/{id}/values/Leads!A1:append?valueInputOption=RAW', medianMs: 350 } },
    tools: [{ name: 'GOOGLE_SHEETS_APPEND_ROW', action: 'Append row' }],
    pipelines: [],
    triggerModel: 'POLLING',
    refreshes: true,
    invalid: google(400, 'INVALID_ARGUMENT', 'Unable to parse range: Leads!A1'),
    unauthorized: google(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'),
  },
  shopify: {
    name: 'shopify',
    baseUrl: 'https://acme-store.myshopify.com/admin/api/2024-07',
    actions: {
      'List products': { method: 'GET', path: '/products.json?limit=250', medianMs: 380 },
      'Update inventory': { method: 'POST', path: '/inventory_levels/set.json', medianMs: 210 },
      'Get order': { method: 'GET', path: '/orders/{id}.json', medianMs: 160 },
    },
    tools: [{ name: 'SHOPIFY_GET_ORDER', action: 'Get order' }],
    pipelines: [],
    triggerModel: 'WEBHOOK',
    refreshes: false,
    invalid: { message: 'inventory_item_id: expected Integer to be a id', body: { errors: { inventory_item_id: ['expected Integer to be a id'] } } },
    unauthorized: { message: '[API] Invalid API key or access token (unrecognized login or wrong password)', body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' } },
  },
  quickbooks: {
    name: 'quickbooks',
    baseUrl: 'https://quickbooks.api.intuit.com/v3/company/9130355',
    actions: {
      'Find customer': { method: 'GET', path: "/query?query=select+*+from+Customer+where+PrimaryEmailAddr+%3D+'jane.doe%40example.com'", medianMs: 300 },
      'Create invoice': { method: 'POST', path: '/invoice', medianMs: 450 },
      'Query invoices': { method: 'GET', path: '/query?query=select+*+from+Invoice+where+Balance+%3E+0', medianMs: 520 },
    },
    tools: [{ name: 'QUICKBOOKS_CREATE_INVOICE', action: 'Create invoice' }],
    pipelines: [],
    triggerModel: 'POLLING',
    refreshes: true,
    invalid: { message: 'ValidationFault: Required param missing, need to supply the required value for the API', body: { Fault: { Error: [{ Message: 'Required param missing, need to supply the required value for the API', code: '2020' }], type: 'ValidationFault' } } },
    unauthorized: { message: 'AuthenticationFailed: Token revoked', body: { fault: { error: [{ message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401', detail: 'Token revoked', code: '3200' }], type: 'AUTHENTICATION' } } },
  },
  intercom: {
    name: 'intercom',
    baseUrl: 'https://api.intercom.io',
    actions: {
      'Get conversation': { method: 'GET', path: '/conversations/{id}', medianMs: 170 },
      'Assign conversation': { method: 'POST', path: '/conversations/{id}/parts', medianMs: 220 },
    },
    tools: [{ name: 'INTERCOM_REPLY_TO_CONVERSATION', action: 'Assign conversation' }],
    pipelines: ['contacts'],
    triggerModel: 'WEBHOOK',
    refreshes: false,
    invalid: { message: 'parameter_invalid: Admin not found', body: { type: 'error.list', errors: [{ code: 'parameter_invalid', message: 'Admin not found' }] } },
    unauthorized: { message: 'unauthorized: Access Token Invalid', body: { type: 'error.list', errors: [{ code: 'unauthorized', message: 'Access Token Invalid' }] } },
  },
  zendesk: {
    name: 'zendesk',
    baseUrl: 'https://globex.zendesk.com/api/v2',
    actions: {
      'Search users': { method: 'GET', path: '/users/search.json?query=email%3Ajane.doe%40example.com', medianMs: 190 },
      'Create ticket': { method: 'POST', path: '/tickets.json', medianMs: 310 },
      'Update ticket': { method: 'PUT', path: '/tickets/{id}.json', medianMs: 260 },
      'Search tickets': { method: 'GET', path: '/search.json?query=type%3Aticket+status%3Asolved', medianMs: 420 },
    },
    tools: [
      { name: 'ZENDESK_CREATE_TICKET', action: 'Create ticket' },
      { name: 'ZENDESK_UPDATE_TICKET', action: 'Update ticket' },
      { name: 'ZENDESK_SEARCH_TICKETS', action: 'Search tickets' },
    ],
    pipelines: ['tickets'],
    triggerModel: 'WEBHOOK',
    refreshes: true,
    invalid: { message: 'RecordInvalid: Requester: Email is not properly formatted', body: { error: 'RecordInvalid', description: 'Record validation errors', details: { requester: [{ description: 'Requester: Email is not properly formatted' }] } } },
    unauthorized: { message: "Couldn't authenticate you", body: { error: "Couldn't authenticate you" } },
  },
  jira: {
    name: 'jira',
    baseUrl: 'https://globex.atlassian.net/rest/api/3',
    actions: {
      'Get issue': { method: 'GET', path: '/issue/{id}', medianMs: 200 },
      'Transition issue': { method: 'POST', path: '/issue/{id}/transitions', medianMs: 260 },
      'Create issue': { method: 'POST', path: '/issue', medianMs: 340 },
      'Search issues': { method: 'POST', path: '/search/jql', medianMs: 380 },
    },
    tools: [
      { name: 'JIRA_CREATE_ISSUE', action: 'Create issue' },
      { name: 'JIRA_SEARCH_ISSUES_BY_JQL', action: 'Search issues' },
    ],
    pipelines: ['tickets'],
    triggerModel: 'WEBHOOK',
    refreshes: true,
    invalid: { message: 'You must specify a summary of the issue.', body: { errorMessages: [], errors: { summary: 'You must specify a summary of the issue.' } } },
    unauthorized: { message: 'Client must be authenticated to access this resource.', body: { message: 'Client must be authenticated to access this resource.' } },
  },
  googledrive: {
    name: 'googledrive',
    baseUrl: 'https://www.googleapis.com/drive/v3',
    actions: {
      'List changes': { method: 'GET', path: '/changes?pageToken=48211&includeRemoved=true', medianMs: 260 },
      'Get file': { method: 'GET', path: '/files/{id}?fields=id,name,mimeType,modifiedTime', medianMs: 150 },
      'Search files': { method: 'GET', path: "/files?q=name+contains+'handbook'", medianMs: 300 },
    },
    tools: [{ name: 'GOOGLE_DRIVE_SEARCH_FILES', action: 'Search files' }],
    pipelines: ['files'],
    triggerModel: 'POLLING',
    refreshes: true,
    invalid: google(400, 'INVALID_ARGUMENT', 'Invalid Value: pageToken'),
    unauthorized: google(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'),
  },
  notion: {
    name: 'notion',
    baseUrl: 'https://api.notion.com/v1',
    actions: {
      'Create page': { method: 'POST', path: '/pages', medianMs: 480 },
      'Search pages': { method: 'POST', path: '/search', medianMs: 350 },
    },
    tools: [
      { name: 'NOTION_CREATE_PAGE', action: 'Create page' },
      { name: 'NOTION_SEARCH', action: 'Search pages' },
    ],
    pipelines: ['files'],
    triggerModel: 'POLLING',
    refreshes: false,
    invalid: { message: 'validation_error: body.parent.page_id should be defined', body: { object: 'error', status: 400, code: 'validation_error', message: 'body failed validation: body.parent.page_id should be defined' } },
    unauthorized: { message: 'unauthorized: API token is invalid.', body: { object: 'error', status: 401, code: 'unauthorized', message: 'API token is invalid.' } },
  },
  confluence: {
    name: 'confluence',
    baseUrl: 'https://globex.atlassian.net/wiki/api/v2',
    actions: {
      'Search content': { method: 'GET', path: '/pages?space-id=65538&sort=-modified-date', medianMs: 410 },
      'Get page': { method: 'GET', path: '/pages/{id}?body-format=storage', medianMs: 230 },
    },
    tools: [{ name: 'CONFLUENCE_SEARCH_PAGES', action: 'Search content' }],
    pipelines: ['files'],
    triggerModel: 'POLLING',
    refreshes: true,
    invalid: { message: 'Invalid cursor', body: { errors: [{ status: 400, code: 'INVALID_REQUEST_PARAMETER', title: 'Invalid cursor' }] } },
    unauthorized: { message: 'Unauthorized; scope does not match', body: { code: 401, message: 'Unauthorized; scope does not match' } },
  },
  github: {
    name: 'github',
    baseUrl: 'https://api.github.com/repos/globex/platform',
    actions: {
      'Get pull request': { method: 'GET', path: '/pulls/{id}', medianMs: 170 },
      'Create comment': { method: 'POST', path: '/issues/{id}/comments', medianMs: 290 },
    },
    tools: [{ name: 'GITHUB_CREATE_ISSUE_COMMENT', action: 'Create comment' }],
    pipelines: [],
    triggerModel: 'WEBHOOK',
    refreshes: false,
    invalid: { message: 'Validation Failed', body: { message: 'Validation Failed', errors: [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }] } },
    unauthorized: { message: 'Bad credentials', body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' } },
  },
};

export type TriggerKind = 'App Event' | 'Request' | 'Integration Enabled' | 'Scheduler' | 'Webhook';

export interface WorkflowSpec {
  name: string;
  integration: string;
  trigger: TriggerKind;
  /** App Event triggers: the event's name. */
  eventName?: string;
  /** Webhook triggers: whom a record is processed for. */
  fanout?: 'user' | 'app' | 'resource';
  /** Scheduler triggers: hours between runs. */
  everyHours?: number;
  /** The steps in order: an action of the integration, or a step that calls no API ("Function: …"). */
  steps: string[];
  /** Its share of the event-driven executions. */
  weight: number;
}

export interface AgentSpec {
  id: string;
  name: string;
  handle: string;
  models: Array<readonly [string, number]>;
  topics: string[];
  questions: string[];
  knowledgeBase: string;
  /** Recipe skills the agent calls (EXTERNAL tools): each run is a recipe job. */
  skills: Array<{ name: string; recipeId: string; description: string }>;
  /** Its share of the tenant's agent runs. */
  weight: number;
}

export interface RecipeSpec {
  id: string;
  name: string;
  path: string;
  /** The adapter and operation of its trigger line. */
  trigger: readonly [string, string];
  /** The action lines after the trigger. */
  lines: Array<readonly [string, string]>;
}

export interface Person {
  id: string;
  name: string;
  email: string;
}

export interface TenantSpec {
  name: string;
  /** service.name of everything the tenant sends. */
  service: string;
  utcOffsetHours: number;
  /** Connected Users: ids user-<n>-<i>, activity following Zipf's law. */
  userPrefix: string;
  users: number;
  integrations: Array<readonly [string, number]>;
  workflows: WorkflowSpec[];
  /** Executions of each family for every workflow execution. */
  mix: { toolCalls: number; triggerEvents: number; credentialRefreshes: number; agentRuns: number; recipeJobs: number };
  /** The tenant app's endpoints ActionKit trigger events and Managed Sync webhooks are delivered to. */
  webhookUrls: string[];
  /** An endpoint a few old subscriptions still point at: it answers 404, their deliveries fail. */
  retiredWebhookUrl: string;
  agents: AgentSpec[];
  recipes: { caller: RecipeSpec; callee: RecipeSpec; scheduled: RecipeSpec; taskSource?: RecipeSpec };
  /** The Workato workspace: its account and the people in the user-activity log. */
  workspace: { accountId: string; accountName: string; environmentId: string };
  admins: Person[];
}

export const MODELS: Record<string, { medianMs: number; sigma: number; outputTokens: number }> = {
  'bedrock/claude-sonnet-4-6': { medianMs: 2600, sigma: 0.45, outputTokens: 230 },
  'bedrock/claude-haiku-4-5': { medianMs: 900, sigma: 0.4, outputTokens: 160 },
  'openai/gpt-5.1': { medianMs: 2100, sigma: 0.55, outputTokens: 270 },
};

export const TENANTS: TenantSpec[] = [
  {
    name: 'Demo: Acme CRM automations',
    service: 'acme-integrations',
    utcOffsetHours: -5,
    userPrefix: 'user-1-',
    users: 60,
    integrations: [
      ['salesforce', 40],
      ['hubspot', 22],
      ['slack', 14],
      ['gmail', 8],
      ['googlesheets', 6],
      ['shopify', 5],
      ['quickbooks', 3],
      ['intercom', 2],
    ],
    workflows: [
      { name: 'Sync new deals', integration: 'salesforce', trigger: 'Webhook', fanout: 'user', steps: ['Get record', 'Function: map deal fields', 'Update record'], weight: 5 },
      { name: 'Create contact from signup', integration: 'hubspot', trigger: 'App Event', eventName: 'Contact Created', steps: ['Search contacts', 'Create contact'], weight: 4 },
      { name: 'Post order updates', integration: 'slack', trigger: 'App Event', eventName: 'Order Placed', steps: ['Look up user', 'Send message'], weight: 3 },
      { name: 'Create invoice from order', integration: 'quickbooks', trigger: 'App Event', eventName: 'Order Placed', steps: ['Find customer', 'Function: build invoice', 'Create invoice'], weight: 1 },
      { name: 'Enrich new contacts', integration: 'hubspot', trigger: 'Request', steps: ['Search contacts', 'Function: score lead', 'Update contact'], weight: 2 },
      { name: 'Log emails to CRM', integration: 'gmail', trigger: 'Webhook', fanout: 'user', steps: ['Get message', 'Modify labels'], weight: 1.5 },
      { name: 'Append leads to sheet', integration: 'googlesheets', trigger: 'App Event', eventName: 'Lead Captured', steps: ['Append row'], weight: 1.2 },
      { name: 'Route support conversations', integration: 'intercom', trigger: 'Webhook', fanout: 'app', steps: ['Get conversation', 'Assign conversation'], weight: 0.8 },
      { name: 'Onboard new connection', integration: 'salesforce', trigger: 'Integration Enabled', steps: ['Search records', 'Create record'], weight: 0.5 },
      { name: 'Nightly pipeline report', integration: 'salesforce', trigger: 'Scheduler', everyHours: 24, steps: ['Search records', 'Function: build report'], weight: 0 },
      { name: 'Backfill invoices', integration: 'quickbooks', trigger: 'Scheduler', everyHours: 6, steps: ['Query invoices', 'Function: dedupe invoices'], weight: 0 },
      { name: 'Sync inventory', integration: 'shopify', trigger: 'Scheduler', everyHours: 1, steps: ['List products', 'Update inventory'], weight: 0 },
    ],
    mix: { toolCalls: 0.5, triggerEvents: 0.3, credentialRefreshes: 0.12, agentRuns: 0.08, recipeJobs: 0.15 },
    webhookUrls: ['https://app.acme.example.com/hooks/paragon', 'https://app.acme.example.com/hooks/paragon/sync'],
    retiredWebhookUrl: 'https://app.acme.example.com/hooks/paragon-v1',
    agents: [
      {
        id: '2341',
        name: 'Sales assistant',
        handle: 'gin-GgDdAaLX-sYHkWn-B2',
        models: [
          ['bedrock/claude-sonnet-4-6', 0.7],
          ['openai/gpt-5.1', 0.3],
        ],
        topics: ['Pipeline review', 'Account research', 'Quote request', 'Forecast update'],
        questions: ['Which deals close this month?', 'Update the Globex opportunity to Negotiation', 'Summarize the account history for Initech', 'Draft a quote for 40 seats'],
        knowledgeBase: 'Sales playbook',
        skills: [{ name: 'Update opportunity', recipeId: '3026590', description: 'Use this skill when the user wants to change the stage, amount or close date of an opportunity.' }],
        weight: 1,
      },
    ],
    recipes: {
      caller: { id: '3026585', name: 'Sync opportunities to NetSuite', path: 'Home/Sales ops', trigger: ['salesforce', 'new_updated_object'], lines: [['netsuite', 'search_records'], ['workato_recipe_function', 'call_recipe'], ['netsuite', 'upsert_record']] },
      callee: { id: '3026581', name: 'Update customer contact details', path: 'Home/Functions', trigger: ['workato_recipe_function', 'execute'], lines: [['logger', 'log_message'], ['salesforce', 'create_custom_object'], ['workato_recipe_function', 'return_result']] },
      scheduled: { id: '654321', name: 'Data processing task', path: 'Home', trigger: ['clock', 'scheduled_event'], lines: [['salesforce', 'search_sobjects'], ['workato_db_table', 'upsert_records']] },
    },
    workspace: { accountId: '33359', accountName: 'Acme Automation', environmentId: '33359' },
    admins: [
      { id: '4848', name: 'Dana Whitfield', email: 'dana.whitfield@acme.example.com' },
      { id: '6464', name: 'Sam Ortega', email: 'sam.ortega@acme.example.com' },
      { id: '4941', name: 'Priya Natarajan', email: 'priya.natarajan@acme.example.com' },
    ],
  },
  {
    name: 'Demo: Globex AI agents',
    service: 'globex-agents',
    utcOffsetHours: 1,
    userPrefix: 'user-2-',
    users: 35,
    integrations: [
      ['zendesk', 30],
      ['jira', 22],
      ['slack', 18],
      ['googledrive', 12],
      ['notion', 8],
      ['confluence', 6],
      ['github', 4],
    ],
    workflows: [
      { name: 'Create ticket from chat', integration: 'zendesk', trigger: 'App Event', eventName: 'Chat Escalated', steps: ['Search users', 'Create ticket'], weight: 4 },
      { name: 'Escalate urgent tickets', integration: 'jira', trigger: 'Webhook', fanout: 'resource', steps: ['Get issue', 'Function: pick assignee', 'Transition issue'], weight: 3 },
      { name: 'Notify on-call', integration: 'slack', trigger: 'App Event', eventName: 'Incident Opened', steps: ['Look up user', 'Send message'], weight: 2 },
      { name: 'Index new documents', integration: 'googledrive', trigger: 'Webhook', fanout: 'user', steps: ['List changes', 'Get file'], weight: 2.5 },
      { name: 'Publish release notes', integration: 'notion', trigger: 'Request', steps: ['Function: render notes', 'Create page'], weight: 1 },
      { name: 'Link pull requests', integration: 'github', trigger: 'Webhook', fanout: 'app', steps: ['Get pull request', 'Create comment'], weight: 1 },
      { name: 'Welcome new workspace', integration: 'slack', trigger: 'Integration Enabled', steps: ['Send message'], weight: 0.4 },
      { name: 'Sync knowledge base', integration: 'confluence', trigger: 'Scheduler', everyHours: 4, steps: ['Search content', 'Get page'], weight: 0 },
      { name: 'Close stale tickets', integration: 'zendesk', trigger: 'Scheduler', everyHours: 24, steps: ['Search tickets', 'Update ticket'], weight: 0 },
    ],
    mix: { toolCalls: 0.9, triggerEvents: 0.3, credentialRefreshes: 0.12, agentRuns: 0.35, recipeJobs: 0.1 },
    webhookUrls: ['https://api.globex.example.com/paragon/events', 'https://api.globex.example.com/paragon/sync'],
    retiredWebhookUrl: 'https://api.globex.example.com/v1/paragon/events',
    agents: [
      {
        id: '2342',
        name: 'IT support',
        handle: 'gin-HtEeBbMY-tZIlXo-C3',
        models: [
          ['bedrock/claude-sonnet-4-6', 0.6],
          ['bedrock/claude-haiku-4-5', 0.4],
        ],
        topics: ['Password reset', 'Data backup using OneDrive', 'Laptop performance', 'VPN access', 'Software request'],
        questions: ['How do I back up my data?', 'Can you log a ticket for my laptop?', 'I forgot my password', 'VPN keeps disconnecting', 'I need a Figma licence'],
        knowledgeBase: 'IT FAQ',
        skills: [
          { name: 'Log support ticket', recipeId: '3027010', description: "Use this skill when the user wants to log, submit, or create a support ticket. Extract the user's name and a brief description of their issue from the conversation." },
          { name: 'Reset password', recipeId: '3027011', description: 'Use this skill when the user cannot sign in and asks for a password reset.' },
        ],
        weight: 3,
      },
      {
        id: '2343',
        name: 'HR helpdesk',
        handle: 'gin-JuFfCcNZ-uAJmYp-D4',
        models: [
          ['openai/gpt-5.1', 0.5],
          ['bedrock/claude-haiku-4-5', 0.5],
        ],
        topics: ['Expense policy', 'Leave request', 'Benefits enrolment'],
        questions: ['How many vacation days do I have left?', 'Can I expense a monitor?', 'Book Friday off for me'],
        knowledgeBase: 'HR handbook',
        skills: [{ name: 'Submit leave request', recipeId: '3027012', description: 'Use this skill when the user asks to take days off.' }],
        weight: 1,
      },
    ],
    recipes: {
      caller: { id: '3027003', name: 'Mirror urgent tickets to Jira', path: 'Home/Support ops', trigger: ['zendesk', 'new_ticket'], lines: [['workato_recipe_function', 'call_recipe'], ['zendesk', 'update_ticket']] },
      callee: { id: '3027002', name: 'Create Jira issue from ticket', path: 'Home/Functions', trigger: ['workato_recipe_function', 'execute'], lines: [['jira', 'create_issue'], ['workato_recipe_function', 'return_result']] },
      scheduled: { id: '3027004', name: 'Nightly ticket export', path: 'Home/Reports', trigger: ['clock', 'scheduled_event'], lines: [['zendesk', 'search_tickets'], ['google_drive', 'upload_file']] },
      taskSource: { id: '3027001', name: 'Triage new Zendesk tickets', path: 'Home/Agents', trigger: ['zendesk', 'new_ticket'], lines: [['workato_genie', 'assign_task'], ['zendesk', 'update_ticket']] },
    },
    workspace: { accountId: '52718', accountName: 'Globex IT', environmentId: '52718' },
    admins: [
      { id: '9911', name: 'Hank Scorpio', email: 'hank.scorpio@globex.example.com' },
      { id: '9912', name: 'Mindy Simmons', email: 'mindy.simmons@globex.example.com' },
    ],
  },
];

/** What providers answer besides a bad request and a revoked token. */
export const HTTP_ERRORS: Record<number, ProviderError> = {
  403: { message: 'insufficient permissions for this resource', body: { error: 'forbidden', message: 'insufficient permissions for this resource' } },
  404: { message: 'The requested resource does not exist', body: { error: 'not_found', message: 'The requested resource does not exist' } },
  409: { message: 'A record with this external id exists already', body: { error: 'conflict', message: 'A record with this external id exists already' } },
  429: { message: 'Rate limit exceeded: too many requests', body: { error: 'rate_limited', message: 'Too many requests', retry_after: 2 } },
  500: { message: 'Internal Server Error', body: { error: 'internal_error', message: 'An unexpected error occurred' } },
  502: { message: 'Bad Gateway', body: { error: 'bad_gateway', message: 'The upstream server returned an invalid response' } },
  503: { message: 'Service Unavailable', body: { error: 'unavailable', message: 'The service is temporarily unavailable, retry later' } },
};

/** The transport error of a provider that never answered. */
export const TIMEOUT_ERROR = 'ETIMEDOUT: no response from the provider within 30 s';
