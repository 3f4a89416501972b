import type { ReactNode } from 'react';
import { SimpleGrid, Text } from '@mantine/core';

/** Label/value pairs, as a description list; as many columns as its container's width allows, up to `cols`. */
export function Fields({ items, cols = 4 }: { items: ReadonlyArray<readonly [string, ReactNode]>; cols?: number }) {
  return (
    <SimpleGrid component="dl" type="container" cols={{ base: 1, '420px': 2, '760px': cols }} spacing="sm" verticalSpacing="xs" m={0}>
      {items.map(([label, value]) => (
        <div key={label}>
          <Text component="dt" size="xs" fw={600} c="dark.4">
            {label}
          </Text>
          <Text component="dd" size="sm" m={0} style={{ wordBreak: 'break-all' }}>
            {value ?? '—'}
          </Text>
        </div>
      ))}
    </SimpleGrid>
  );
}

/** A string → string map (span attributes) as a two-column table. */
export function AttributeTable({ attributes, label }: { attributes: Record<string, string>; label: string }) {
  const entries = Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <Text size="sm">None.</Text>;
  return (
    <table className="ft-attributes" aria-label={label}>
      <tbody>
        {entries.map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
