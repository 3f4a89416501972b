import { Code } from '@mantine/core';

/** A value as indented JSON; the block is focusable so that a keyboard can scroll it. */
export function JsonBlock({ value, label, maxHeight = 360 }: { value: unknown; label: string; maxHeight?: number }) {
  const text = typeof value === 'string' ? tryPretty(value) : JSON.stringify(value, null, 2);
  return (
    <div tabIndex={0} role="region" aria-label={label} style={{ maxHeight, overflow: 'auto' }}>
      <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
        {text ?? 'null'}
      </Code>
    </div>
  );
}

function tryPretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
