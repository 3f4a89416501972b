import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { GRAFANA_DATASOURCE_UID, grafanaProvisioning, loadRules, parseRules } from '@flowtrace/alerting';
import { GRAFANA_ALERTING_DIR, GRAFANA_FILES } from '../src/generate.js';

interface GrafanaRule {
  uid: string;
  title: string;
  condition: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  noDataState: string;
  data: Array<{ refId: string; datasourceUid: string; relativeTimeRange?: { from: number; to: number }; model: Record<string, unknown> }>;
}

const committed = (name: string) => readFileSync(join(GRAFANA_ALERTING_DIR, name), 'utf8');

describe("Grafana's provisioned copy of the rules", () => {
  it('is what the rules file generates (regenerate with npm run grafana -w @flowtrace/alerting)', () => {
    const generated = grafanaProvisioning(loadRules());
    expect(committed(GRAFANA_FILES.rules)).toBe(generated.rules);
    expect(committed(GRAFANA_FILES.contactPoints)).toBe(generated.contactPoints);
  });

  it('queries the provisioned ClickHouse datasource with the same SQL, window, for, labels and condition', () => {
    const rules = loadRules().rules;
    const file = parse(committed(GRAFANA_FILES.rules)) as { apiVersion: number; groups: Array<{ folder: string; interval: string; rules: GrafanaRule[] }> };
    expect(file.apiVersion).toBe(1);
    const provisioned = file.groups.flatMap((g) => g.rules);
    expect(provisioned.map((r) => r.uid)).toEqual(rules.map((r) => r.id));
    for (const [i, g] of provisioned.entries()) {
      const rule = rules[i]!;
      expect(g.title).toBe(rule.title);
      expect(g.condition).toBe('C');
      expect(g.noDataState).toBe('OK');
      expect(g.labels).toEqual(rule.labels);
      const [query, reduce, threshold] = g.data;
      expect(query).toMatchObject({ refId: 'A', datasourceUid: GRAFANA_DATASOURCE_UID, relativeTimeRange: { from: rule.windowMs / 1000, to: 0 } });
      expect(query!.model).toMatchObject({ rawSql: rule.sql, format: 1, editorType: 'sql', datasource: { type: 'grafana-clickhouse-datasource', uid: GRAFANA_DATASOURCE_UID } });
      expect(reduce!.model).toMatchObject({ type: 'reduce', expression: 'A', reducer: 'last' });
      const evaluator = 'above' in rule.condition ? { type: 'gt', params: [rule.condition.above] } : { type: 'lt', params: [rule.condition.below] };
      expect(threshold!.model).toMatchObject({ type: 'threshold', expression: 'B', conditions: [{ evaluator }] });
      // Grafana's name for the reduced value; $labels reads the same in both.
      expect(g.annotations.summary).toBe(rule.annotations.summary!.replace('{{ $value }}', '{{ $values.B.Value }}'));
    }
    expect(provisioned.map((r) => r.for)).toEqual(['0s', '0s', '5m', '0s', '5m']);
    expect(file.groups.map((g) => [g.folder, g.interval])).toEqual([['Flowtrace', '1m']]);
  });

  it('names no datasource but the provisioned one, and takes the webhook URL from the environment', () => {
    const text = committed(GRAFANA_FILES.rules);
    const uids = [...text.matchAll(/uid: (\S+)/g)].map((m) => m[1]);
    expect(new Set(uids.filter((uid) => !loadRules().rules.some((r) => r.id === uid)))).toEqual(new Set([GRAFANA_DATASOURCE_UID, '__expr__']));
    const contact = parse(committed(GRAFANA_FILES.contactPoints)) as { contactPoints: Array<{ receivers: Array<{ type: string; settings: { url: string } }> }>; policies: Array<{ receiver: string; group_by: string[] }> };
    expect(contact.contactPoints[0]!.receivers[0]).toMatchObject({ type: 'webhook', settings: { url: '$FLOWTRACE_ALERT_WEBHOOK_URL' } });
    expect(contact.policies[0]).toMatchObject({ receiver: 'flowtrace-webhook', group_by: ['alertname', 'project', 'integration'] });
  });

  it('puts rules with their own interval in a group of that interval, and refuses one Grafana cannot evaluate', () => {
    const base = 'sql: SELECT 1 AS value\n    condition: { above: 0 }\n    window: 5m';
    const set = parseRules(`rules:\n  - id: a\n    title: A\n    ${base}\n  - id: b\n    title: B\n    interval: 30s\n    ${base}\n`, 'inline');
    const groups = (parse(grafanaProvisioning(set).rules) as { groups: Array<{ name: string; interval: string; rules: Array<{ uid: string }> }> }).groups;
    expect(groups.map((g) => [g.name, g.interval, g.rules.map((r) => r.uid)])).toEqual([
      ['flowtrace-every-30s', '30s', ['b']],
      ['flowtrace-every-1m', '1m', ['a']],
    ]);
    const odd = parseRules(`rules:\n  - id: c\n    title: C\n    interval: 15s\n    ${base}\n`, 'inline');
    expect(() => grafanaProvisioning(odd)).toThrow('rule "c": interval 15s is not a multiple of 10s, Grafana\'s base evaluation interval');
  });
});
