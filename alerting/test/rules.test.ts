import { describe, expect, it } from 'vitest';
import { AlertRulesError, DEFAULT_RULES_PATH, formatDuration, loadRules, parseDuration, parseRules, renderLink, renderTemplate } from '@flowtrace/alerting';

const valid = `
rules:
  - id: failed
    title: Failed
    sql: SELECT ProjectId AS project, count() AS value FROM flowtrace_executions WHERE $__timeFilter(Start) GROUP BY project
    condition: { above: 0 }
    window: 15m
`;

function problemsOf(text: string): string[] {
  try {
    parseRules(text, '/etc/flowtrace/rules.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(AlertRulesError);
    const [first, ...rest] = (err as Error).message.split('\n');
    expect(first).toBe('alert rules file /etc/flowtrace/rules.yaml:');
    return rest.map((line) => line.trim());
  }
  throw new Error('the rules were accepted');
}

describe('the rules file', () => {
  it('ships the five rules of the issue, each labelled by project and integration with a link to the failing executions', () => {
    const { rules, source } = loadRules();
    expect(source).toBe(DEFAULT_RULES_PATH);
    expect(rules.map((r) => r.id)).toEqual(['failed-workflow-executions', 'errored-syncs', 'trigger-delivery-failures', 'failed-credential-refreshes', 'tool-call-error-rate']);
    for (const rule of rules) {
      expect(rule.sql, rule.id).toMatch(/ProjectId AS project, Integration AS integration/);
      expect(rule.sql, rule.id).toMatch(/GROUP BY project, integration/);
      expect(rule.sql, rule.id).toContain('$__timeFilter(Start)');
      expect(rule.labels.severity, rule.id).toMatch(/^(critical|warning)$/);
      expect(Object.keys(rule.annotations).sort(), rule.id).toEqual(['description', 'summary']);
      expect(rule.link, rule.id).toMatch(/^\/projects\/\{\{ \$labels\.project \}\}\//);
    }
    // The users' words: Task History's FAILED, Managed Sync's ERRORED, ActionKit's Delivery Failures.
    expect(rules[0]!.sql).toContain("Status = 'FAILED'");
    expect(rules[1]!.sql).toContain("Status = 'ERRORED'");
    expect(rules[2]!.sql).toContain("Status = 'Delivery Failures'");
    expect(rules[4]!.condition).toEqual({ above: 0.1 });
  });

  it('names the file, the rule and the field of every problem', () => {
    const problems = problemsOf(`
rules:
  - id: failed
    title: Failed
    sql: SELECT 1 AS value WHERE $__timeFilter(Start) AND ProjectId = $project
    condition: { over: 0 }
    window: 15 minutes
    labels: { severity: "$SEVERITY" }
    annotations: { summary: "{{ $values.A.Value }} failed" }
    link: projects/x
  - id: failed
    title: Again
    sql: DROP TABLE flowtrace_executions
    condition: { below: 1 }
    window: 1m
    extra: true
  - title: no id
    sql: SELECT 1 AS value
    condition: { above: 0 }
    window: 1m
`);
    expect(problems).toEqual([
      'rules[0] (id "failed"): sql: variable $project has no value (rules are evaluated per project by grouping on ProjectId: no template variables)',
      'rules[0] (id "failed"): condition: must be { above: N } or { below: N }',
      'rules[0] (id "failed"): window: must be a duration such as 30s, 15m or 1h (got "15 minutes")',
      'rules[0] (id "failed"): labels.severity: must be plain text (no $ and no templates: Grafana expands labels as environment variables)',
      'rules[0] (id "failed"): annotations.summary: {{ $values.A.Value }} is not a template this field supports ({{ $labels.name }}, {{ $value }})',
      'rules[0] (id "failed"): link: must be a path of the query API, starting with /',
      'rules[1] (id "failed"): sql: must be one SELECT (or WITH … SELECT) statement',
      'rules[1] (id "failed"): (the rule): Unrecognized key: "extra"',
      'rules[2]: id: is required',
    ]);
  });

  it('refuses a second rule with the same id', () => {
    expect(problemsOf(`${valid}${valid.replace('rules:\n', '')}`)).toEqual(['rules[1] (id "failed"): id: "failed" is also the id of rules[0]; ids must be unique']);
  });

  it('names a file that is not YAML, has no rules, or cannot be read', () => {
    expect(problemsOf('rules: [\n')[0]).toMatch(/^not valid YAML: /);
    expect(problemsOf('alerts: []\n')).toEqual(['rules: must be a list of rules', '(top level): Unrecognized key: "alerts"']);
    expect(() => loadRules('/nonexistent/rules.yaml')).toThrow('alert rules file /nonexistent/rules.yaml: cannot be read (ENOENT)');
  });

  it('reads durations as Grafana writes them', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(86_400_000)).toBe('1d');
    const { rules } = parseRules(valid, 'inline');
    expect(rules[0]).toMatchObject({ windowMs: 900_000, forMs: 0, intervalMs: undefined, labels: {}, annotations: {}, link: undefined });
  });
});

describe('templates', () => {
  const labels = { project: 'p 1', integration: 'sales/force', severity: 'critical' };

  it('renders annotations with labels and the value', () => {
    expect(renderTemplate('{{ $value }} failed on {{$labels.integration}} ({{ $labels.missing }})', { labels, value: 3 })).toBe('3 failed on sales/force ()');
    expect(renderTemplate('rate {{ $value }}', { labels, value: 2 / 7 })).toBe('rate 0.2857');
  });

  it('renders links with every substituted value encoded, and drops the parameters left empty', () => {
    const from = new Date('2026-11-01T00:00:00.000Z');
    const link = '/projects/{{ $labels.project }}/x?status=Delivery%20Failures&integration={{ $labels.integration }}&userId={{ $labels.user }}&from={{ $from }}';
    expect(renderLink('https://flowtrace.example.com/', link, { labels, from })).toBe(
      'https://flowtrace.example.com/projects/p%201/x?status=Delivery%20Failures&integration=sales%2Fforce&from=2026-11-01T00%3A00%3A00.000Z',
    );
  });
});
