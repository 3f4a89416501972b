import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { MacroError, expandMacros } from './macros.js';
import { templateProblem } from './template.js';

/** The rules shipped with Flowtrace, beside src/ and dist/ (the same relative path works from both). */
export const DEFAULT_RULES_PATH = fileURLToPath(new URL('../rules/default.yaml', import.meta.url));

/** One alert rule, as the evaluator and the Grafana generator use it. */
export interface AlertRule {
  id: string;
  title: string;
  /** Grafana's SQL: macros are expanded for [now - window, now] at each evaluation. */
  sql: string;
  condition: { above: number } | { below: number };
  windowMs: number;
  forMs: number;
  /** Unset: FLOWTRACE_ALERT_INTERVAL_SECONDS. */
  intervalMs: number | undefined;
  /** Static labels (severity, team, …); each row's string columns are added to them. */
  labels: Record<string, string>;
  /** Templates: {{ $labels.name }} and {{ $value }}. */
  annotations: Record<string, string>;
  /** A path of the query API (templates: {{ $labels.name }}, {{ $from }}, {{ $to }}); the base URL is prepended. */
  link: string | undefined;
}

export interface RuleSet {
  /** The file the rules came from. */
  source: string;
  rules: AlertRule[];
}

/** A rules file that cannot be used; the message names the file, the rule and the field. */
export class AlertRulesError extends Error {
  override readonly name = 'AlertRulesError';
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(?:\d+(?:ms|s|m|h|d))+$/;

/** Milliseconds of a duration such as 90s, 15m or 1h30m (Grafana's and Prometheus' notation). */
export function parseDuration(text: string): number {
  if (!DURATION.test(text)) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h|d)/g)) ms += Number(n) * UNITS[unit!]!;
  return ms;
}

/** The shortest notation of a duration in whole seconds: 0s, 90s → 1m30s, 900s → 15m, 1d. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms / 1000);
  let out = '';
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out;
}

const duration = (min: number, what: string) =>
  z
    .union([z.string(), z.number()], { message: 'must be a duration such as 30s, 15m or 1h' })
    .transform((value, ctx) => {
      const text = String(value);
      if (!DURATION.test(text)) {
        ctx.addIssue({ code: 'custom', message: `must be a duration such as 30s, 15m or 1h (got ${JSON.stringify(text)})` });
        return z.NEVER;
      }
      const ms = parseDuration(text);
      if (ms < min) {
        ctx.addIssue({ code: 'custom', message: `${what} must be at least ${formatDuration(min)}` });
        return z.NEVER;
      }
      return ms;
    });

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const labelMap = z.record(
  z.string().regex(LABEL_NAME, { message: 'label names are letters, digits and _, not starting with a digit' }),
  z
    .union([z.string(), z.number(), z.boolean()])
    .transform(String)
    .pipe(
      z
        .string()
        .min(1, { message: 'must not be empty' })
        // Grafana's file provisioning expands $VARIABLES in labels: a $ would not survive it.
        .refine((v) => !v.includes('$') && !v.includes('{{'), { message: 'must be plain text (no $ and no templates: Grafana expands labels as environment variables)' }),
    ),
);
const template = (allowed: readonly string[]) =>
  z.string().superRefine((text, ctx) => {
    const problem = templateProblem(text, allowed);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const ruleSchema = z.strictObject({
  id: z
    .string({ message: 'is required' })
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { message: 'must be 1-40 lower-case letters, digits and dashes (it is also the rule’s Grafana uid)' }),
  title: z.string({ message: 'is required' }).trim().min(1, { message: 'must not be empty' }).max(190, { message: 'must be at most 190 characters' }),
  sql: z
    .string({ message: 'is required' })
    .superRefine((sql, ctx) => {
      const body = sql.replace(/^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)+/, '');
      if (!/^(SELECT|WITH)\b/i.test(body)) {
        ctx.addIssue({ code: 'custom', message: 'must be one SELECT (or WITH … SELECT) statement' });
        return;
      }
      try {
        expandMacros(sql, { from: new Date(0), to: new Date(60_000), intervalSeconds: 60 });
      } catch (err) {
        if (!(err instanceof MacroError)) throw err;
        ctx.addIssue({ code: 'custom', message: `${err.message} (rules are evaluated per project by grouping on ProjectId: no template variables)` });
      }
    }),
  condition: z.union(
    [z.strictObject({ above: z.number({ message: 'must be a number' }) }), z.strictObject({ below: z.number({ message: 'must be a number' }) })],
    { message: 'must be { above: N } or { below: N }' },
  ),
  window: duration(1000, 'window'),
  for: duration(0, 'for').default(0),
  interval: duration(1000, 'interval').optional(),
  labels: labelMap.default({}),
  annotations: z.record(z.string().regex(LABEL_NAME, { message: 'annotation names are letters, digits and _' }), template(['labels', 'value'])).default({}),
  link: template(['labels', 'from', 'to'])
    .refine((link) => link.startsWith('/'), { message: 'must be a path of the query API, starting with /' })
    .optional(),
});

const fileSchema = z.strictObject({
  rules: z.array(z.unknown(), { message: 'must be a list of rules' }).min(1, { message: 'must hold at least one rule' }),
});

/** Reads and validates a rules file; every problem is reported with its file, rule and field. */
export function loadRules(path: string = DEFAULT_RULES_PATH): RuleSet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AlertRulesError(`alert rules file ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseRules(text, path);
}

/** Validates the text of a rules file; `source` names it in errors. */
export function parseRules(text: string, source: string): RuleSet {
  const fail = (problems: string[]): never => {
    throw new AlertRulesError(`alert rules file ${source}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  };
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) fail(document.errors.map((e) => `not valid YAML: ${e.message.split('\n')[0]}`));
  const file = fileSchema.safeParse(document.toJS());
  if (!file.success) fail(file.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`));
  const problems: string[] = [];
  const rules: AlertRule[] = [];
  const seen = new Map<string, number>();
  file.data!.rules.forEach((raw, i) => {
    const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
    const where = id === undefined ? `rules[${i}]` : `rules[${i}] (id ${JSON.stringify(id)})`;
    const parsed = ruleSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${where}: ${issue.path.join('.') || '(the rule)'}: ${issue.message}`);
      return;
    }
    const r = parsed.data;
    const first = seen.get(r.id);
    if (first !== undefined) problems.push(`${where}: id: ${JSON.stringify(r.id)} is also the id of rules[${first}]; ids must be unique`);
    seen.set(r.id, i);
    rules.push({
      id: r.id,
      title: r.title,
      sql: r.sql,
      condition: r.condition,
      windowMs: r.window,
      forMs: r.for,
      intervalMs: r.interval,
      labels: r.labels,
      annotations: r.annotations,
      link: r.link,
    });
  });
  if (problems.length > 0) fail(problems);
  return { source, rules };
}

/** Whether a value meets a rule's condition. */
export function conditionMet(condition: AlertRule['condition'], value: number): boolean {
  return 'above' in condition ? value > condition.above : value < condition.below;
}
