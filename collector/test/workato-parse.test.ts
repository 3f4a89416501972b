import { describe, expect, it } from 'vitest';
import { parseBody, parseLenient } from '../src/workato/parse.js';

describe('Workato stream parsing', () => {
  it('repairs trailing commas and zero-padded numbers, and only outside strings', () => {
    expect(parseLenient('{"a": [1, 2,], "b": {"c": 0000000,}, "s": "x,} 007", "d": 0.05, "e": 10}')).toEqual({
      ok: true,
      value: { a: [1, 2], b: { c: 0 }, s: 'x,} 007', d: 0.05, e: 10 },
    });
    expect(parseLenient('{"a": "unterminated}')).toMatchObject({ ok: false });
  });

  it('reads one object, an array, NDJSON, and a pretty-printed document that needs repair', () => {
    expect(parseBody('{"a": 1}').map((i) => [i.value, i.position])).toEqual([[{ a: 1 }, 'event 1']]);
    expect(parseBody('[{"a": 1}, {"a": 2}]').map((i) => i.position)).toEqual(['event 1', 'event 2']);
    expect(parseBody('{"a": 1}\n\n{"a": 2,}\n').map((i) => [i.value, i.position])).toEqual([
      [{ a: 1 }, 'event 1 (line 1)'],
      [{ a: 2 }, 'event 2 (line 3)'],
    ]);
    expect(parseBody('{\n  "a": 0001,\n  "b": [1,],\n}\n').map((i) => i.value)).toEqual([{ a: 1, b: [1] }]);
    expect(parseBody('"{\\"event\\":\\"recipe_started\\"}"').map((i) => i.value)).toEqual([{ event: 'recipe_started' }]);
    expect(parseBody('  ')).toEqual([]);
  });

  it('names the line of an NDJSON item that cannot be read', () => {
    expect(() => parseBody('{"a": 1}\n{"a": \n{"a": 3}')).toThrow('event 2 (line 2): invalid JSON');
    expect(() => parseBody('{"a": ')).toThrow(/^invalid JSON/);
  });
});
