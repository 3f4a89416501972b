/**
 * A Workato log stream body as a list of items, each with its position for
 * error messages. Accepted: one JSON object, a JSON array of objects, or NDJSON
 * (one object per line). Exports seen in the wild — and the samples in
 * Workato's own documentation — carry trailing commas and zero-padded numbers;
 * those are repaired rather than refused. A string item holding JSON (the
 * `log_message_str` form) is parsed in turn.
 */

export interface Item {
  value: unknown;
  /** "event 3 (line 7)" */
  position: string;
}

export class WorkatoParseError extends Error {
  override readonly name = 'WorkatoParseError';
}

export function parseBody(text: string): Item[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const whole = parseLenient(trimmed);
  if (whole.ok) {
    if (Array.isArray(whole.value)) return whole.value.map((value, i) => ({ value: unwrapString(value), position: `event ${i + 1}` }));
    return [{ value: unwrapString(whole.value), position: 'event 1' }];
  }
  // Not one JSON document: NDJSON, one document per non-empty line.
  const items: Item[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const position = `event ${items.length + 1} (line ${i + 1})`;
    const parsed = parseLenient(line);
    if (!parsed.ok) {
      throw new WorkatoParseError(items.length === 0 && lines.filter((l) => l.trim()).length === 1 ? `invalid JSON: ${whole.error}` : `${position}: invalid JSON: ${parsed.error}`);
    }
    items.push({ value: unwrapString(parsed.value), position });
  }
  return items;
}

/** A JSON string that itself holds a JSON object: the object. */
function unwrapString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const inner = parseLenient(value.trim());
  return inner.ok && inner.value !== null && typeof inner.value === 'object' ? inner.value : value;
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

export function parseLenient(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const repaired = repair(text);
    if (repaired !== text) {
      try {
        return { ok: true, value: JSON.parse(repaired) };
      } catch {
        // Report the original error: it points into what the sender wrote.
      }
    }
    return { ok: false, error: (err as Error).message };
  }
}

/** Drops trailing commas before } or ], and leading zeros of integers, outside strings. */
function repair(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
    } else if (c === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j]!)) j++;
      if (text[j] !== '}' && text[j] !== ']') out += c;
    } else if (c === '0' && /[\d]/.test(text[i + 1] ?? '') && !/[\d.eE+-]/.test(out.at(-1) ?? '')) {
      // A zero-padded number: keep its last digit run without the leading zeros.
      let j = i;
      while (text[j] === '0' && /\d/.test(text[j + 1] ?? '')) j++;
      i = j - 1;
    } else {
      out += c;
    }
  }
  return out;
}
