import { describe, expect, it } from 'vitest';
import { MacroError, expandMacros } from '@flowtrace/alerting';

const from = new Date('2026-11-01T00:00:00.000Z');
const to = new Date('2026-11-02T12:00:00.250Z');
const ctx = { from, to, intervalSeconds: 60 };

describe('expandMacros', () => {
  it('expands the plugin backend macros as pkg/macros/macros.go does', () => {
    expect(expandMacros('WHERE $__timeFilter(Timestamp)', ctx)).toBe('WHERE Timestamp >= toDateTime(1793491200) AND Timestamp <= toDateTime(1793620800)');
    expect(expandMacros('$__timeFilter_ms(Timestamp)', ctx)).toBe('Timestamp >= fromUnixTimestamp64Milli(1793491200000) AND Timestamp <= fromUnixTimestamp64Milli(1793620800250)');
    expect(expandMacros('$__dateFilter(d)', ctx)).toBe("d >= toDate('2026-11-01') AND d <= toDate('2026-11-02')");
    expect(expandMacros('$__dt(d, t)', ctx)).toBe("(d >= toDate('2026-11-01') AND d <= toDate('2026-11-02')) AND (t >= toDateTime(1793491200) AND t <= toDateTime(1793620800))");
    expect(expandMacros('$__timeInterval(Start) AS t, $__interval_s AS s', ctx)).toBe('toStartOfInterval(toDateTime(Start), INTERVAL 60 second) AS t, 60 AS s');
    expect(expandMacros('$__timeInterval_ms(Start)', { ...ctx, intervalSeconds: 0.5 })).toBe('toStartOfInterval(toDateTime64(Start, 3), INTERVAL 500 millisecond)');
    expect(expandMacros('$__fromTime, $__toTime, $__fromTime_ms', ctx)).toBe('toDateTime(1793491200), toDateTime(1793620800), fromUnixTimestamp64Milli(1793491200000)');
    expect(expandMacros('$__interval_s', { ...ctx, intervalSeconds: 0.2 })).toBe('1');
  });

  it('keeps a condition unless its variable is All, and quotes variables as asked', () => {
    const variables = { project: 'p1', integration: { all: true as const }, user: ["o'brien", 'u2'] };
    const sql = "ProjectId = ${project:singlequote} AND $__conditionalAll(Integration IN (${integration:singlequote}), $integration) AND $__conditionalAll(UserId IN (${user:singlequote}), ${user})";
    expect(expandMacros(sql, { ...ctx, variables })).toBe("ProjectId = 'p1' AND 1=1 AND UserId IN ('o\\'brien','u2')");
    expect(expandMacros('x = $project', { ...ctx, variables })).toBe('x = p1');
  });

  it('names what is wrong', () => {
    expect(() => expandMacros('$__timeFilter()', ctx)).toThrow(new MacroError('$__timeFilter: expected 1 argument, received 0'));
    expect(() => expandMacros('$__timeFilter(a, b)', ctx)).toThrow(/expected 1 argument, received 2/);
    expect(() => expandMacros('x = $missing', ctx)).toThrow('variable $missing has no value');
    expect(() => expandMacros('x IN ($all)', { ...ctx, variables: { all: { all: true } } })).toThrow(/inside \$__conditionalAll/);
    expect(() => expandMacros('$__timeFilter(a', ctx)).toThrow(/unclosed parenthesis/);
  });
});
