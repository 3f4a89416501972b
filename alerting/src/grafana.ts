import { stringify } from 'yaml';
import { formatDuration, type AlertRule, type RuleSet } from './rules.js';

/** The provisioned ClickHouse datasource (grafana/provisioning/datasources). */
export const GRAFANA_DATASOURCE_UID = 'flowtrace-clickhouse';
/** Grafana evaluates rule groups on multiples of this base interval. */
const GRAFANA_BASE_INTERVAL_MS = 10_000;
/** A rule without an interval of its own: FLOWTRACE_ALERT_INTERVAL_SECONDS's default. */
const DEFAULT_INTERVAL_MS = 60_000;
const FOLDER = 'Flowtrace';
const CONTACT_POINT = 'flowtrace-webhook';
const EXPR = { type: '__expr__', uid: '__expr__' } as const;

export interface GrafanaProvisioning {
  /** grafana/provisioning/alerting/flowtrace-rules.yaml */
  rules: string;
  /** grafana/provisioning/alerting/contact-points.yaml: the webhook contact point and the notification policy. */
  contactPoints: string;
}

/**
 * Grafana's copy of the rules, in its alerting file-provisioning format: one
 * group per evaluation interval, each rule a ClickHouse query (A, table format:
 * Grafana turns each row into a series labelled by its string columns), a
 * Reduce (B, last) and a Threshold (C). `{{ $value }}` becomes
 * `{{ $values.B.Value }}`, Grafana's name for the reduced value. Links are
 * Flowtrace's own (they need the query API's address) and are not copied.
 */
export function grafanaProvisioning(set: RuleSet, sourceName = 'alerting/rules/default.yaml'): GrafanaProvisioning {
  const groups = new Map<number, AlertRule[]>();
  for (const rule of set.rules) {
    const interval = rule.intervalMs ?? DEFAULT_INTERVAL_MS;
    if (interval % GRAFANA_BASE_INTERVAL_MS !== 0) {
      throw new Error(`rule ${JSON.stringify(rule.id)}: interval ${formatDuration(interval)} is not a multiple of 10s, Grafana's base evaluation interval`);
    }
    groups.set(interval, [...(groups.get(interval) ?? []), rule]);
  }
  const header = (what: string) =>
    `# ${what}\n# Generated from ${sourceName} by \`npm run grafana -w @flowtrace/alerting\`: edit the rules there and\n# regenerate; a test fails when this file and the rules differ.\n`;
  const rules = {
    apiVersion: 1,
    groups: [...groups.entries()]
      .sort(([a], [b]) => a - b)
      .map(([interval, members]) => ({
        orgId: 1,
        name: `flowtrace-every-${formatDuration(interval)}`,
        folder: FOLDER,
        interval: formatDuration(interval),
        rules: members.map(grafanaRule),
      })),
  };
  const contactPoints = {
    apiVersion: 1,
    contactPoints: [
      {
        orgId: 1,
        name: CONTACT_POINT,
        receivers: [
          {
            uid: CONTACT_POINT,
            type: 'webhook',
            // Grafana expands $VARIABLES of the environment in contact point settings (one URL here).
            settings: { url: '$FLOWTRACE_ALERT_WEBHOOK_URL', httpMethod: 'POST' },
            disableResolveMessage: false,
          },
        ],
      },
    ],
    policies: [
      {
        orgId: 1,
        receiver: CONTACT_POINT,
        // One notification per alert instance, as flowtrace start sends them.
        group_by: ['alertname', 'project', 'integration'],
        group_wait: '30s',
        group_interval: '5m',
        repeat_interval: '4h',
      },
    ],
  };
  const text = (value: object) => stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });
  return {
    rules: header('Flowtrace alert rules for Grafana (FAILED executions, ERRORED syncs, delivery failures, credential refreshes, tool-call error rate).') + text(rules),
    contactPoints: header('Where Grafana sends the Flowtrace rules’ notifications: a webhook, its URL from FLOWTRACE_ALERT_WEBHOOK_URL.') + text(contactPoints),
  };
}

function grafanaRule(rule: AlertRule) {
  const threshold = 'above' in rule.condition ? { type: 'gt', params: [rule.condition.above] } : { type: 'lt', params: [rule.condition.below] };
  return {
    uid: rule.id,
    title: rule.title,
    condition: 'C',
    data: [
      {
        refId: 'A',
        relativeTimeRange: { from: Math.round(rule.windowMs / 1000), to: 0 },
        datasourceUid: GRAFANA_DATASOURCE_UID,
        model: {
          datasource: { type: 'grafana-clickhouse-datasource', uid: GRAFANA_DATASOURCE_UID },
          editorType: 'sql',
          format: 1,
          queryType: 'table',
          rawSql: rule.sql,
          refId: 'A',
          intervalMs: 1000,
          maxDataPoints: 43200,
        },
      },
      {
        refId: 'B',
        datasourceUid: '__expr__',
        model: { datasource: EXPR, type: 'reduce', expression: 'A', reducer: 'last', settings: { mode: 'dropNN' }, refId: 'B' },
      },
      {
        refId: 'C',
        datasourceUid: '__expr__',
        model: {
          datasource: EXPR,
          type: 'threshold',
          expression: 'B',
          conditions: [{ type: 'query', evaluator: threshold, operator: { type: 'and' }, query: { params: ['C'] }, reducer: { type: 'last', params: [] } }],
          refId: 'C',
        },
      },
    ],
    // No rows means nothing failed: normal, as in flowtrace start.
    noDataState: 'OK',
    execErrState: 'Error',
    for: formatDuration(rule.forMs),
    annotations: Object.fromEntries(Object.entries(rule.annotations).map(([name, text]) => [name, text.replace(/\{\{\s*\$value\s*\}\}/g, '{{ $values.B.Value }}')])),
    labels: rule.labels,
    isPaused: false,
  };
}
