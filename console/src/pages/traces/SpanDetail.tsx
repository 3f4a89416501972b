import { CloseButton, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { TimelineLog, TimelineSpan } from '../../api/types';
import { AttributeTable, Fields } from '../../components/Fields';
import { ConsoleLink, useConsolePath } from '../../components/Links';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { formatDuration } from '../../lib/time';

/** A span: status, timing, attributes, resource, events, links and its logs. */
export function SpanDetail({ span, logs, onClose }: { span: TimelineSpan; logs: TimelineLog[]; onClose: () => void }) {
  const path = useConsolePath();
  return (
    <Paper withBorder p="sm" component="section" aria-label={`Span ${span.name}`} data-testid="span-detail">
      <Group justify="space-between" wrap="nowrap" mb="xs">
        <Title order={2} size="h5" style={{ wordBreak: 'break-all' }}>
          {span.name}
        </Title>
        <CloseButton onClick={onClose} aria-label="Close span details" />
      </Group>
      <div tabIndex={0} role="region" aria-label={`Details of span ${span.name}`} style={{ maxHeight: 640, overflow: 'auto' }}>
        <Stack gap="sm">
          <Fields
            cols={2}
            items={[
              ['Status', <StatusBadge value={span.status.code === 'Unset' ? 'Unset' : span.status.code} />],
              ['Kind', span.kind],
              ['Started', <Time value={span.startTime} />],
              ['Duration', formatDuration(span.durationMs)],
              ['Service', span.serviceName],
              ['Span ID', <code>{span.spanId}</code>],
              ['Parent', span.parentSpanId ? <code>{span.parentSpanId}</code> : 'root'],
              ['Scope', `${span.scope.name} ${span.scope.version}`.trim() || '—'],
            ]}
          />
          {span.status.message && (
            <Text size="sm" c="red.9">
              {span.status.message}
            </Text>
          )}
          <div>
            <Text fw={600} size="sm">
              Attributes
            </Text>
            <AttributeTable attributes={span.attributes} label="Span attributes" />
          </div>
          <div>
            <Text fw={600} size="sm">
              Events ({span.events.length})
            </Text>
            {span.events.map((e, i) => (
              <div key={i}>
                <Text size="xs">
                  <Time value={e.timestamp} /> — <strong>{e.name}</strong>
                </Text>
                <AttributeTable attributes={e.attributes} label={`Attributes of event ${e.name}`} />
              </div>
            ))}
          </div>
          <div>
            <Text fw={600} size="sm">
              Links ({span.links.length})
            </Text>
            {span.links.map((l, i) => (
              <div key={i}>
                <ConsoleLink to={path(`traces/${l.traceId}`, { span: l.spanId })} title={`Span ${l.spanId} of trace ${l.traceId}`}>
                  <code>
                    {l.traceId.slice(0, 12)}… / {l.spanId}
                  </code>
                </ConsoleLink>
                <AttributeTable attributes={l.attributes} label={`Attributes of link ${i + 1}`} />
              </div>
            ))}
          </div>
          <div>
            <Text fw={600} size="sm">
              Logs ({logs.length})
            </Text>
            {logs.map((l, i) => (
              <Text key={i} size="xs">
                <Time value={l.timestamp} /> <StatusBadge value={l.severityText} /> {l.body}
              </Text>
            ))}
          </div>
          <div>
            <Text fw={600} size="sm">
              Resource
            </Text>
            <AttributeTable attributes={span.resourceAttributes} label="Resource attributes" />
          </div>
        </Stack>
      </div>
    </Paper>
  );
}
