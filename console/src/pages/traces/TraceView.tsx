import { Alert, Anchor, Checkbox, Grid, Group, Paper, Text } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { useApi, useProjectBase } from '../../api/hooks';
import type { Timeline } from '../../api/types';
import { Fields } from '../../components/Fields';
import { ConsoleLink, useConsolePath } from '../../components/Links';
import { PageHeader } from '../../components/PageHeader';
import { QueryView } from '../../components/States';
import { Time } from '../../components/Time';
import { useUrlState } from '../../hooks/useUrlState';
import { formatDuration, formatNumber } from '../../lib/time';
import { SpanDetail } from './SpanDetail';
import { WaterfallView } from './WaterfallView';

/** One trace: its spans as a waterfall on a time axis, its logs in place, a span's details beside. */
export function TraceViewPage() {
  const { traceId = '' } = useParams();
  const base = useProjectBase();
  const path = useConsolePath();
  const { get, set } = useUrlState();
  const selected = get('span');
  const withLogs = get('logs') !== 'off';
  const query = useApi<Timeline>(`${base}/traces/${encodeURIComponent(traceId)}`, {}, { keepPrevious: false });

  return (
    <>
      <PageHeader title="Trace" description={<code>{traceId}</code>}>
        <ConsoleLink to={path('event-logs', { traceId })}>Event Logs of this trace</ConsoleLink>
        <Anchor component={Link} to={path('traces')} size="sm">
          ← Traces
        </Anchor>
      </PageHeader>
      <QueryView query={query}>
        {(t) => {
          const errors = t.spans.filter((s) => s.status.code === 'Error').length;
          const span = t.spans.find((s) => s.spanId === selected);
          return (
            <>
              <Paper withBorder p="sm" mb="md">
                <Fields
                  cols={3}
                  items={[
                    ['Started', <Time value={t.startTime} />],
                    ['Duration', formatDuration(t.durationMs)],
                    ['Spans', formatNumber(t.spans.length)],
                    ['Errors', errors],
                    ['Logs', formatNumber(t.logs.length)],
                    ['Services', [...new Set(t.spans.map((s) => s.serviceName))].join(', ')],
                  ]}
                />
              </Paper>
              {t.truncated && (
                <Alert color="yellow" mb="md" title="Trace truncated">
                  This trace has more spans or logs than one answer carries; the first ones are shown.
                </Alert>
              )}
              <Group justify="space-between" mb={6}>
                <Text size="sm" c="dark.4">
                  Arrow keys move through the spans, Right and Left open and close a subtree, Enter shows a span.
                </Text>
                <Checkbox size="xs" label="Logs in place" checked={withLogs} onChange={(e) => set({ logs: e.currentTarget.checked ? undefined : 'off' }, { keepPage: true, replace: true })} />
              </Group>
              <Grid gap="md">
                <Grid.Col span={{ base: 12, lg: span ? 8 : 12 }}>
                  <WaterfallView timeline={t} selected={selected} withLogs={withLogs} onSelect={(spanId) => spanId && set({ span: spanId }, { keepPage: true, replace: true })} />
                </Grid.Col>
                {span && (
                  <Grid.Col span={{ base: 12, lg: 4 }}>
                    <SpanDetail span={span} logs={t.logs.filter((l) => l.spanId === span.spanId)} onClose={() => set({ span: undefined }, { keepPage: true, replace: true })} />
                  </Grid.Col>
                )}
              </Grid>
            </>
          );
        }}
      </QueryView>
    </>
  );
}
