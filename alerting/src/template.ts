/**
 * The small part of Grafana's alert templating the rules use, so that the
 * same annotation reads the same in Grafana and in Flowtrace's own
 * notifications: {{ $labels.name }} and {{ $value }} (and, in links,
 * {{ $from }} / {{ $to }}: the evaluation window).
 */

const PLACEHOLDER = /\{\{(.*?)\}\}/g;
const VARIABLE = /^\s*\$(labels\.([A-Za-z_][A-Za-z0-9_]*)|value|from|to)\s*$/;

export interface TemplateValues {
  labels: Readonly<Record<string, string>>;
  value?: number | null;
  from?: Date;
  to?: Date;
}

/** Why a template cannot be rendered with the given variables, or undefined. */
export function templateProblem(text: string, allowed: readonly string[]): string | undefined {
  if (/\{\{(?![\s\S]*?\}\})/.test(text)) return 'has a {{ without its }}';
  for (const [whole, inner] of text.matchAll(PLACEHOLDER)) {
    const match = VARIABLE.exec(inner!);
    const name = match?.[1]?.startsWith('labels.') ? 'labels' : match?.[1];
    if (!name || !allowed.includes(name)) {
      return `${whole} is not a template this field supports (${allowed.map((a) => (a === 'labels' ? '{{ $labels.name }}' : `{{ $${a} }}`)).join(', ')})`;
    }
  }
  return undefined;
}

/** A value as annotations show it: integers as they are, fractions to 4 significant digits. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

function variable(inner: string, values: TemplateValues): string {
  const match = VARIABLE.exec(inner)!;
  if (match[2] !== undefined) return values.labels[match[2]] ?? '';
  if (match[1] === 'value') return formatValue(values.value);
  const date = match[1] === 'from' ? values.from : values.to;
  return date ? date.toISOString() : '';
}

/** Renders an annotation (validated beforehand with templateProblem). */
export function renderTemplate(text: string, values: TemplateValues): string {
  return text.replace(PLACEHOLDER, (_whole, inner: string) => variable(inner, values));
}

/**
 * Renders a link: the path and query as written, each substituted value
 * URL-encoded, and query parameters left empty (an instance without an
 * integration) dropped, so that the link is one the query API accepts.
 */
export function renderLink(base: string, path: string, values: TemplateValues): string {
  const encoded = path.replace(PLACEHOLDER, (_whole, inner: string) => encodeURIComponent(variable(inner, values)));
  const [pathname, query] = encoded.split('?', 2) as [string, string | undefined];
  const kept = (query ?? '').split('&').filter((pair) => pair !== '' && !pair.endsWith('='));
  return `${base.replace(/\/+$/, '')}${pathname}${kept.length > 0 ? `?${kept.join('&')}` : ''}`;
}
