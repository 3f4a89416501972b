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

/** How much item text a chunk of a big body holds at most (one item may be larger), and how many items. */
export interface ChunkLimits {
  bytes: number;
  items: number;
}

/** A body of at most this size is parsed whole, as one chunk, however many items it holds. */
export const WHOLE_BODY_BYTES = 2 << 20;

/**
 * Chunks stored as one batch each. Larger chunks make fewer INSERTs (each
 * costs ~0.1 s beyond its rows) but hold more at once; measured for a 61.6 MiB
 * body (README, "Workato log streams"): 2 MiB chunks +450 MiB resident,
 * 8 MiB +690 MiB, 16 MiB +860 MiB, for little less time.
 */
export const CHUNK_LIMITS: ChunkLimits = { bytes: 2 << 20, items: 2000 };

/**
 * Chunks only validated, then dropped: small, so that their objects die young
 * rather than pile up in the old generation until a full collection.
 */
export const SURVEY_LIMITS: ChunkLimits = { bytes: 256 << 10, items: 250 };

/**
 * A body's items in chunks, in order, parsed one chunk at a time: a big body
 * is never held as objects all at once. NDJSON is cut at line ends, a JSON
 * array document at its top-level element boundaries (found by scanning, not
 * parsing), and each item parsed on its own, as parseBody would. A body of at
 * most WHOLE_BODY_BYTES, one plain object, or a document the scan cannot cut
 * is parsed whole by parseBody. The same body and limits always give the same
 * chunks; different limits, the same items.
 */
export function* itemChunks(body: Buffer, limits: ChunkLimits = CHUNK_LIMITS): Generator<Item[]> {
  if (body.length <= WHOLE_BODY_BYTES) {
    yield* sliced(parseBody(body.toString('utf8')), Infinity);
    return;
  }
  const start = skipSpace(body, 0);
  const isArray = body[start] === OPEN_BRACKET && cutsIntoElements(body, start);
  let chunk: Item[] = [];
  let bytes = 0;
  for (const { text, index, position, bytes: size } of isArray ? elementTexts(body, start) : lineTexts(body)) {
    const parsed = parseLenient(text);
    if (!parsed.ok) {
      if (!isArray && index === 1) {
        // The first line is not a document: perhaps one pretty-printed document (as parseBody tries).
        yield* sliced(parseBody(body.toString('utf8')), limits.items);
        return;
      }
      throw new WorkatoParseError(`${position}: invalid JSON: ${parsed.error}`);
    }
    chunk.push({ value: unwrapString(parsed.value), position });
    bytes += size;
    if (bytes >= limits.bytes || chunk.length >= limits.items) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
  }
  if (chunk.length > 0) yield chunk;
}

function* sliced(items: Item[], size: number): Generator<Item[]> {
  if (items.length <= size) {
    if (items.length > 0) yield items;
    return;
  }
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

interface ItemText {
  text: string;
  /** 1-based, among the body's items. */
  index: number;
  position: string;
  /** Its size in the body. */
  bytes: number;
}

const OPEN_BRACKET = 0x5b;
const COMMA = 0x2c;
const isSpaceByte = (c: number | undefined) => c === 32 || c === 9 || c === 10 || c === 13;

/** The first byte at or after `from` that is not white space (nor, at the start, a UTF-8 byte order mark). */
function skipSpace(body: Buffer, from: number): number {
  let i = from;
  if (i === 0 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) i = 3;
  while (i < body.length && isSpaceByte(body[i])) i++;
  return i;
}

/**
 * The [start, end) byte ranges of the top-level elements of the JSON array
 * opening at `start`, found by tracking strings, escapes and nesting depth (as
 * repair() does), not by parsing; then `true` if the array closes with only
 * white space after it. Bytes stand for characters here: every byte of a
 * multi-byte UTF-8 character is above 0x7f, so none is taken for a quote,
 * bracket or comma. A trailing comma gives a last range of white space.
 */
function* elementRanges(body: Buffer, start: number): Generator<[number, number], boolean> {
  let depth = 0;
  let from = start + 1;
  for (let i = start; i < body.length; i++) {
    const c = body[i]!;
    if (c === 34) {
      // A string: to its closing quote, skipping escaped characters.
      for (i++; i < body.length; i++) {
        const d = body[i]!;
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 91 || c === 123) {
      depth++;
    } else if (c === 93 || c === 125) {
      depth--;
      if (depth === 0) {
        if (from < i) yield [from, i];
        return c === 93 && skipSpace(body, i + 1) >= body.length;
      }
    } else if (c === 44 && depth === 1) {
      yield [from, i];
      from = i + 1;
    }
  }
  return false;
}

/**
 * Whether the array at `start` is one document whose elements the scan can
 * cut: it closes, nothing follows it, and no element before a comma is empty
 * (`[,1]`, `[1,,2]`); white space before the closing bracket (`[1, ]`, a
 * trailing comma parseBody repairs) is no element. Anything else is left to
 * parseBody, whose error it gives. Holds nothing: the ranges are scanned again
 * when the elements are read.
 */
function cutsIntoElements(body: Buffer, start: number): boolean {
  const ranges = elementRanges(body, start);
  for (let next = ranges.next(); ; next = ranges.next()) {
    if (next.done) return next.value;
    const [from, to] = next.value;
    if (body[to] === COMMA && skipSpace(body, from) >= to) return false;
  }
}

function* elementTexts(body: Buffer, start: number): Generator<ItemText> {
  let index = 0;
  for (const [from, to] of elementRanges(body, start)) {
    const text = body.toString('utf8', from, to).trim();
    if (text === '') continue; // after a trailing comma
    index++;
    yield { text, index, position: `event ${index}`, bytes: to - from };
  }
}

/** NDJSON: each non-empty line, numbered as parseBody numbers them. */
function* lineTexts(body: Buffer): Generator<ItemText> {
  let index = 0;
  let line = 0;
  for (let from = 0; from < body.length; ) {
    const newline = body.indexOf(10, from);
    const to = newline < 0 ? body.length : newline;
    line++;
    const text = body.toString('utf8', from, to).trim();
    if (text !== '') {
      index++;
      yield { text, index, position: `event ${index} (line ${line})`, bytes: to - from };
    }
    from = to + 1;
  }
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
