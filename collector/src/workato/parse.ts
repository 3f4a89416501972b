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
  // Strict JSON first, as one document: the common case costs one JSON.parse.
  const whole = parseStrict(trimmed);
  if (whole.ok) return asItems(whole.value);
  // NDJSON: one document per non-empty line, each repaired only if it must be.
  const lines = text.split('\n');
  const nonEmpty = lines.filter((line) => line.trim() !== '').length;
  if (nonEmpty === 1) {
    // One document that is not strict JSON: repaired, or reported whole.
    const repaired = parseLenient(trimmed);
    if (!repaired.ok) throw new WorkatoParseError(`invalid JSON: ${whole.error}`);
    return asItems(repaired.value);
  }
  const items: Item[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const position = `event ${items.length + 1} (line ${i + 1})`;
    const parsed = parseLenient(line);
    if (!parsed.ok) {
      // Perhaps one pretty-printed document after all (a repaired one: strict parsing failed).
      const repaired = items.length === 0 ? parseLenient(trimmed) : parsed;
      if (repaired.ok) return asItems(repaired.value);
      throw new WorkatoParseError(`${position}: invalid JSON: ${parsed.error}`);
    }
    items.push({ value: unwrapString(parsed.value), position });
  }
  return items;
}

function asItems(value: unknown): Item[] {
  if (Array.isArray(value)) return value.map((item, i) => ({ value: unwrapString(item), position: `event ${i + 1}` }));
  return [{ value: unwrapString(value), position: 'event 1' }];
}

/** A JSON string that itself holds a JSON object: the object. */
function unwrapString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const inner = parseLenient(value.trim());
  return inner.ok && inner.value !== null && typeof inner.value === 'object' ? inner.value : value;
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

function parseStrict(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** Strict JSON, else the same text with trailing commas and zero-padded numbers repaired. */
export function parseLenient(text: string): Parsed {
  const strict = parseStrict(text);
  if (strict.ok) return strict;
  {
    const repaired = repair(text);
    if (repaired !== text) {
      const second = parseStrict(repaired);
      // On failure, report the original error: it points into what the sender wrote.
      if (second.ok) return second;
    }
    return strict;
  }
}

/** Drops trailing commas before } or ], and leading zeros of integers, outside strings. */
function repair(text: string): string {
  const out: string[] = [];
  let from = 0;
  let inString = false;
  const isDigit = (c: number) => c >= 48 && c <= 57;
  const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
    } else if (c === 44) {
      // A comma followed (after white space) by } or ]: drop it.
      let j = i + 1;
      while (j < text.length && isSpace(text.charCodeAt(j))) j++;
      const next = text.charCodeAt(j);
      if (next === 125 || next === 93) {
        out.push(text.slice(from, i));
        from = i + 1;
      }
    } else if (c === 48 && isDigit(text.charCodeAt(i + 1)) && !isDigit(text.charCodeAt(i - 1)) && text[i - 1] !== '.') {
      // Zero-padded integer: drop the leading zeros, keep its last digit run.
      let j = i;
      while (text.charCodeAt(j) === 48 && isDigit(text.charCodeAt(j + 1))) j++;
      out.push(text.slice(from, i));
      from = j;
      i = j - 1;
    }
  }
  out.push(text.slice(from));
  return out.join('');
}
