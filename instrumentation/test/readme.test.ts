import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as sc from '@flowtrace/instrumentation/semconv';

describe('the README', () => {
  it('lists every attribute constant with its name', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const constants = Object.entries(sc).filter(([name]) => name.startsWith('ATTR_'));
    expect(constants.length).toBeGreaterThan(100);
    for (const [name, value] of constants) expect(readme).toContain(`| \`${value as string}\` | \`${name}\` |`);
  });
});
