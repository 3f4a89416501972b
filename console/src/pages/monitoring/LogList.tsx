import { useState } from 'react';
import { Collapse, Group, Paper, Text, UnstyledButton } from '@mantine/core';
import type { LogEntry } from '../../api/types';
import { JsonBlock } from '../../components/JsonBlock';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';

/** A timeline of logs; each expands to its full event object (trace id, context, error). */
export function LogList({ logs, label }: { logs: LogEntry[]; label: string }) {
  if (logs.length === 0) return <Text size="sm">No log.</Text>;
  return (
    <ol aria-label={label} style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {logs.map((log, i) => (
        <LogItem key={i} log={log} id={`${label.replace(/\W+/g, '-')}-${i}`} />
      ))}
    </ol>
  );
}

function LogItem({ log, id }: { log: LogEntry; id: string }) {
  const [open, setOpen] = useState(false);
  return (
    <li data-level={log.level}>
      <Paper withBorder={open} p={open ? 'xs' : 0} my={2}>
        <UnstyledButton onClick={() => setOpen((o) => !o)} aria-expanded={open} aria-controls={id} w="100%" py={4} fz="sm">
          <Group gap="sm" wrap="nowrap" align="flex-start">
            <span aria-hidden>{open ? '▾' : '▸'}</span>
            <Time value={log.timestamp} />
            <StatusBadge value={log.level} />
            <Text size="sm" style={{ wordBreak: 'break-word' }}>
              {log.message}
            </Text>
          </Group>
        </UnstyledButton>
        <Collapse expanded={open} id={id}>
          {open && <JsonBlock value={log.event} label={`Event object: ${log.message}`} maxHeight={280} />}
        </Collapse>
      </Paper>
    </li>
  );
}
