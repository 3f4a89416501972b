import type { LogRow, SpanRow } from '@flowtrace/store';

/**
 * Credentials never reach storage, whatever a sender put where: every ingest
 * path (OTLP/HTTP, OTLP/gRPC, Workato streams and imports) passes its rows
 * through redactBatch right before the sink. Attribute values are replaced
 * whole when their key names a secret; free text (span names, status
 * messages, event names, log bodies and every other attribute value) loses
 * what looks like a credential, keeping the key or scheme in front of it so a
 * log stays readable (`api_key=[REDACTED]`, `Bearer [REDACTED]`,
 * `https://user:[REDACTED]@host`). A project's own patterns (regular
 * expressions, set through the admin API) are applied on top; the built-in
 * redaction cannot be turned off.
 *
 * The patterns follow those the SDK applies (conventions/src/redact.ts), but
 * are applied here on their own: the collector redacts what any sender sends.
 */

export const REDACTED = '[REDACTED]';

/** What one project's rows are redacted with, besides the built-in rules. */
export interface RedactionRules {
  /** The project's patterns, compiled with the `g` flag: every match is replaced whole. */
  readonly extra: readonly RegExp[];
}

/** Only the built-in rules. */
export const BUILT_IN_RULES: RedactionRules = { extra: [] };

/** Where a project's rules come from (ProjectRedaction: the store, behind a short cache). */
export interface RedactionSource {
  rulesFor(projectId: string): Promise<RedactionRules>;
}

/** The source of a path given none: the built-in rules for every project. */
export const BUILT_IN_SOURCE: RedactionSource = { rulesFor: async () => BUILT_IN_RULES };

/**
 * Keys whose values are secrets, by how they end (any case), so header
 * attributes (`http.request.header.authorization`, `…x-csrf-token`) and
 * prefixed names (`oauth.client_secret`, `aws.secret_access_key`) count.
 */
const SECRET_KEY =
  /(?:password|passwd|secret|token|authorization|cookie|credentials?|signature|(?:api|access|secret|private|client|signing|encryption)[-_.]?key|apikey)$|(?:^|[-_.])(?:pwd|pass|auth)$/i;

const MAX_CACHED_KEYS = 4096;
const keyVerdicts = new Map<string, boolean>();

/** True when an attribute named `key` holds a secret. */
export function isSecretKey(key: string): boolean {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    verdict = SECRET_KEY.test(key);
    if (keyVerdicts.size >= MAX_CACHED_KEYS) keyVerdicts.clear();
    keyVerdicts.set(key, verdict);
  }
  return verdict;
}

/** Text none of the built-in patterns can match: most values (ids, names, numbers) are passed over after this one test. */
const MAY_HOLD_SECRET = /bearer|basic|token|digest|pass|pwd|secret|key|auth|cookie|credential|signature|:\/\/[^\s/@]*@|A(?:KIA|SIA|IDA|ROA|GPA|NPA|NVA|IPA|BIA|CCA)/i;

/** AWS access key ids: a known prefix and 16 more capitals or digits. */
const AWS_KEY_ID = /\b(A(?:KIA|SIA|IDA|ROA|GPA|NPA|NVA|IPA|BIA|CCA))[A-Z0-9]{16}\b/g;
/** A 40-character AWS secret access key, looked for only in text that holds an access key id. */
const AWS_SECRET = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
/** `scheme://user:password@host`: the password goes, the user stays. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*):([^\s@/?#]+)@/gi;
/**
 * Key–value secrets: `api_key=…`, `password: …`, `"client_secret":"…"`, also in JSON kept as an
 * escaped string. A value the SDK already redacted (`REDACTED`, conventions/src/redact.ts) stays.
 */
const KEY_VALUE =
  /(?<![\w.-])([\w.-]*?(?:password|passwd|secret|token|authorization|cookie|credentials?|signature|(?:api|access|secret|private|client|signing|encryption)[-_.]?key|apikey)|(?:[\w.-]*[-_.])?(?:pwd|pass|auth))((?:\\?["'])?\s*[:=]\s*)(?!\[?REDACTED\b)("(?:[^"\\]|\\.)*"|\\"(?:[^"\\]|\\(?!"))*\\"|'[^']*'|[^\s"'&,;}\])<>]+)/gi;
/** `Authorization: …` in text: the credential after the scheme. */
const AUTH_HEADER =
  /(?<![\w-])((?:proxy-)?authorization)(\s*[:=]\s*)(?!["'\\]|(?:(?:Bearer|Basic|Token|Digest|Negotiate)\s+)?\[REDACTED\])((?:Bearer|Basic|Token|Digest|Negotiate)\s+)?([^\s"'&,;]+)/gi;
/** `Cookie: …` and `Set-Cookie: …` in text: every `name=value;` pair. */
const COOKIE_HEADER = /(?<![\w-])((?:set-)?cookie)(\s*[:=]\s*)(?!["'\\]|\[REDACTED\])([^\s;"']+(?:;\s*[^\s;"']+)*)/gi;
/** `Bearer …` and `Basic …` (any case), `Token …` and `Digest …` (capitalized: "/oauth/token client_id=…" is no credential) in text. */
const SCHEME = /\b([Bb]earer|BEARER|[Bb]asic|BASIC|Token|Digest)(\s+)([A-Za-z0-9._~+/=-]{8,})/g;

/** A word after "Bearer" or "Basic" is a credential when it has a digit, a symbol, or both cases ("Basic authentication" is not). */
const looksLikeCredential = (text: string) => /[\d._~+/=-]/.test(text) || (/[a-z]/.test(text) && /[A-Z]/.test(text));
/** A 40-character run is a secret key when it mixes cases and has a digit or a slash/plus (not a hex digest, not a word). */
const looksLikeAwsSecret = (text: string) => /[a-z]/.test(text) && /[A-Z]/.test(text) && /[\d/+]/.test(text);

/** Text with every credential the built-in patterns and the project's patterns find replaced by [REDACTED]. */
export function redactText(text: string, rules: RedactionRules = BUILT_IN_RULES): string {
  let out = text;
  if (MAY_HOLD_SECRET.test(out)) {
    AWS_KEY_ID.lastIndex = 0;
    if (AWS_KEY_ID.test(out)) {
      out = out.replace(AWS_SECRET, (match) => (looksLikeAwsSecret(match) ? REDACTED : match));
      out = out.replace(AWS_KEY_ID, (_m, prefix: string) => `${prefix}${REDACTED}`);
    }
    out = out
      .replace(URL_USERINFO, (match, head: string, password: string) => (password === 'REDACTED' ? match : `${head}:${REDACTED}@`))
      .replace(KEY_VALUE, keyValue)
      .replace(AUTH_HEADER, (_m, key: string, sep: string, scheme: string | undefined) => `${key}${sep}${scheme ?? ''}${REDACTED}`)
      .replace(COOKIE_HEADER, (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`)
      .replace(SCHEME, (match, scheme: string, space: string, credential: string) => (looksLikeCredential(credential) ? `${scheme}${space}${REDACTED}` : match));
  }
  for (const pattern of rules.extra) out = out.replace(pattern, REDACTED);
  return out;
}

function keyValue(match: string, key: string, sep: string, value: string): string {
  if (value.includes(REDACTED)) return match;
  if (value.startsWith('\\"')) return `${key}${sep}\\"${REDACTED}\\"`;
  const quote = value[0];
  if (quote === '"' || quote === "'") return `${key}${sep}${quote}${REDACTED}${quote}`;
  // `Authorization: Bearer …` and `Cookie: a=1; b=2`: AUTH_HEADER and COOKIE_HEADER read these values whole.
  if (/(?:authorization|cookie)$/i.test(key) && /^\s*:/.test(sep)) return match;
  return `${key}${sep}${REDACTED}`;
}

/** Redacts an attribute map in place: by key first (the whole value), then as text. */
export function redactAttributes(attributes: Record<string, string>, rules: RedactionRules = BUILT_IN_RULES): void {
  for (const key in attributes) {
    const value = attributes[key]!;
    if (value === '') continue;
    const redacted = isSecretKey(key) ? REDACTED : redactText(value, rules);
    if (redacted !== value) attributes[key] = redacted;
  }
}

/**
 * Redacts a batch's rows in place, right before they go to the sink: span
 * names, status messages, span, resource, event and link attributes, event
 * names; log bodies and log, resource and scope attributes.
 */
export function redactBatch<T extends { spans: SpanRow[]; logs: LogRow[] }>(rows: T, rules: RedactionRules = BUILT_IN_RULES): T {
  for (const span of rows.spans) {
    span.SpanName = redactText(span.SpanName, rules);
    span.StatusMessage = redactText(span.StatusMessage, rules);
    redactAttributes(span.SpanAttributes, rules);
    redactAttributes(span.ResourceAttributes, rules);
    const eventNames = span['Events.Name'];
    for (let i = 0; i < eventNames.length; i++) eventNames[i] = redactText(eventNames[i]!, rules);
    for (const attributes of span['Events.Attributes']) redactAttributes(attributes, rules);
    for (const attributes of span['Links.Attributes']) redactAttributes(attributes, rules);
  }
  for (const log of rows.logs) {
    log.Body = redactText(log.Body, rules);
    redactAttributes(log.LogAttributes, rules);
    redactAttributes(log.ResourceAttributes, rules);
    redactAttributes(log.ScopeAttributes, rules);
  }
  return rows;
}

/** Why a project pattern cannot be used (it does not compile, or matches the empty string), or undefined. */
export function patternProblem(source: string): string | undefined {
  let pattern: RegExp;
  try {
    pattern = new RegExp(source, 'g');
  } catch (err) {
    return `is not a valid regular expression: ${(err as Error).message}`;
  }
  if (pattern.test('')) return 'matches the empty string';
  return undefined;
}

/** Compiles a project's stored patterns; one that does not compile is left out (the admin API refuses them). */
export function compileRules(sources: readonly string[], onInvalid?: (source: string, problem: string) => void): RedactionRules {
  const extra: RegExp[] = [];
  for (const source of sources) {
    const problem = patternProblem(source);
    if (problem) onInvalid?.(source, problem);
    else extra.push(new RegExp(source, 'g'));
  }
  return extra.length === 0 ? BUILT_IN_RULES : { extra };
}

const MAX_CACHED_PROJECTS = 10_000;

/**
 * Each project's rules, read from the store (`load`) and kept for `cacheMs`,
 * like API keys: a change made through the admin API reaches the collector
 * within that time. Never read per request: concurrent requests of a project
 * share one read.
 */
export class ProjectRedaction implements RedactionSource {
  readonly #load: (projectId: string) => Promise<readonly string[]>;
  readonly #cacheMs: number;
  readonly #onInvalid: ((source: string, problem: string) => void) | undefined;
  readonly #cache = new Map<string, { rules: Promise<RedactionRules>; expires: number }>();

  constructor(load: (projectId: string) => Promise<readonly string[]>, options: { cacheMs: number; onInvalid?: (source: string, problem: string) => void }) {
    this.#load = load;
    this.#cacheMs = options.cacheMs;
    this.#onInvalid = options.onInvalid;
  }

  rulesFor(projectId: string): Promise<RedactionRules> {
    const now = Date.now();
    const cached = this.#cache.get(projectId);
    if (cached && cached.expires > now) return cached.rules;
    const rules = this.#load(projectId).then((sources) => compileRules(sources, this.#onInvalid));
    if (this.#cacheMs > 0) {
      if (this.#cache.size >= MAX_CACHED_PROJECTS) this.#cache.clear();
      this.#cache.set(projectId, { rules, expires: now + this.#cacheMs });
      // A failed read is not remembered: the next request reads again.
      rules.catch(() => {
        if (this.#cache.get(projectId)?.rules === rules) this.#cache.delete(projectId);
      });
    }
    return rules;
  }
}
