/**
 * Credentials never leave the host in anything Flowtrace captures: keys that
 * name a secret have their values replaced, bearer and basic credentials in text
 * are cut, and URLs lose their userinfo and secret query parameters. Applied to
 * every captured payload, URL and response body, with or without opt-in capture.
 */

export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /(^|[-_.\s])(password|passwd|pwd|secret|token|api[-_]?key|apikey|authorization|cookie|set[-_]?cookie|credentials?|private[-_]?key|client[-_]?secret|access[-_]?key|session[-_]?(id|token)|signature|x[-_]api[-_]key)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) || /^(access|refresh|id)[-_]?token$/i.test(key);
}

/** A deep copy of `value` with every secret-named field replaced. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 32) return REDACTED;
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = isSecretKey(key) && item !== null && item !== '' ? REDACTED : redactValue(item, depth + 1);
    return out;
  }
  return value;
}

const CREDENTIAL_IN_TEXT = [
  /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b((?:access|refresh|id)_token|api_?key|client_secret|password|secret)(["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi,
];

/** Text with bearer/basic credentials and key=value secrets cut out. JSON text is redacted field by field. */
export function redactText(text: string): string {
  const trimmed = text.trim();
  if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) {
    try {
      return JSON.stringify(redactValue(JSON.parse(trimmed)));
    } catch {
      // Not JSON after all: fall through to the text patterns.
    }
  }
  return text
    .replace(CREDENTIAL_IN_TEXT[0]!, (_m, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(CREDENTIAL_IN_TEXT[1]!, (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`);
}

/** A URL without userinfo and with secret query parameters redacted, as the url.full convention asks. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactText(url);
  }
  if (parsed.username || parsed.password) {
    parsed.username = 'REDACTED';
    parsed.password = 'REDACTED';
  }
  for (const key of [...parsed.searchParams.keys()]) {
    if (isSecretKey(key) || /^(sig|signature|code|key)$/i.test(key)) parsed.searchParams.set(key, 'REDACTED');
  }
  return parsed.toString();
}

/** At most this many characters of one captured value are kept. */
export const MAX_CAPTURED_CHARS = 16_384;

/** A payload as a redacted JSON string, cut to MAX_CAPTURED_CHARS. */
export function capturedJson(value: unknown): string {
  const text = typeof value === 'string' ? redactText(value) : JSON.stringify(redactValue(value)) ?? 'null';
  return text.length > MAX_CAPTURED_CHARS ? `${text.slice(0, MAX_CAPTURED_CHARS)}…[truncated]` : text;
}
