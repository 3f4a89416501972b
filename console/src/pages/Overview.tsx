import { Suspense, lazy, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Card, Grid, Group, List, SimpleGrid, Text, Title } from '@mantine/core';
import { useNavigate } from 'react-router-dom';
import { useApi, useProjectBase } from '../api/hooks';
import type { Page, Stats, Sync } from '../api/types';
import { OVERVIEW_KINDS } from '../api/vocabulary';
import { SelectFilter } from '../components/Filters';
import { ConsoleLink, useConsolePath } from '../components/Links';
import { PageHeader } from '../components/PageHeader';
import { QueryView } from '../components/States';
import { useUrlState } from '../hooks/useUrlState';
import { formatNumber } from '../lib/time';
import { pivot } from './overview/pivot';

// recharts is the largest part of the console: it loads beside the data (from the page's first render), not before it.
let charts: Promise<typeof import('./overview/charts')> | undefined;
const loadCharts = () => (charts ??= import('./overview/charts'));
const StackedBars = lazy(() => loadCharts().then((m) => ({ default: m.StackedBars })));
const DurationLines = lazy(() => loadCharts().then((m) => ({ default: m.DurationLines })));
import { listLink } from './overview/links';

const RANGES = { '24h': { hours: 24, interval: 'hour' }, '7d': { hours: 24 * 7, interval: 'hour' }, '30d': { hours: 24 * 30, interval: 'day' } } as const;
type Range = keyof typeof RANGES;

/**
 * The Overview: executions and failures over time by integration and by
 * status, p50/p95 duration, the top failing workflows, tools and syncs. Every
 * number links to the list behind it, over the same time range.
 */
export function OverviewPage() {
  void loadCharts();
  const { get } = useUrlState();
  const base = useProjectBase();
  const path = useConsolePath();
  const navigate = useNavigate();
  const kind = get('kind') ?? 'workflow_execution';
  const rangeName = (get('range') ?? '24h') as Range;
  const range = RANGES[rangeName] ?? RANGES['24h'];
  // "Now" is fixed when the page opens, so the queries (and their cache keys) hold still.
  const [now] = useState(() => Math.ceil(Date.now() / 60_000) * 60_000);
  const from = new Date(now - range.hours * 3_600_000).toISOString();
  const stats = (groupBy: string | undefined, statKind = kind, interval: string = range.interval) => ({ kind: statKind, groupBy, interval, from });

  const byIntegration = useApi<Stats>(`${base}/stats/executions`, stats('integration'));
  const byStatus = useApi<Stats>(`${base}/stats/executions`, stats('status'));
  const overall = useApi<Stats>(`${base}/stats/executions`, stats(undefined));
  const workflows = useApi<Stats>(`${base}/stats/executions`, stats('workflow', 'workflow_execution', 'day'));
  const tools = useApi<Stats>(`${base}/stats/executions`, stats('tool', 'tool_call', 'day'));
  const syncs = useApi<Page & { syncs: Sync[] }>(`${base}/syncs`, { from, limit: 500 });

  const link = (options: Parameters<typeof listLink>[2], ofKind = kind, window: { from: string; to?: string } = { from }) => {
    const { view, params } = listLink(ofKind, window, options);
    return path(view, params);
  };
  const step = range.interval === 'day' ? 86_400_000 : 3_600_000;
  const bucketWindow = (t: number) => ({ from: new Date(t).toISOString(), to: new Date(t + step).toISOString() });

  return (
    <>
      <PageHeader title="Overview" description="Executions and failures over time, durations, and what fails most.">
        <SelectFilter name="kind" label="Executions of" fallback="workflow_execution" width={200} options={OVERVIEW_KINDS.map((k) => ({ value: k.kind, label: k.label }))} />
        <SelectFilter
          name="range"
          label="Over the last"
          fallback="24h"
          options={[
            { value: '24h', label: '24 hours' },
            { value: '7d', label: '7 days' },
            { value: '30d', label: '30 days' },
          ]}
        />
      </PageHeader>

      <QueryView query={overall}>
        {(s) => (
          <SimpleGrid cols={{ base: 1, sm: 3 }} mb="md">
            <StatCard label="Executions" value={formatNumber(s.totals.executions)} to={link({})} />
            <StatCard label="Failures" value={formatNumber(s.totals.failures)} to={link({ failed: true })} tone={s.totals.failures > 0 ? 'red.9' : undefined} />
            <StatCard label="Failure rate" value={s.totals.executions ? `${((100 * s.totals.failures) / s.totals.executions).toFixed(1)} %` : '—'} to={link({ failed: true })} />
          </SimpleGrid>
        )}
      </QueryView>

      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <ChartCard title="Executions by integration">
            <QueryView query={byIntegration} isEmpty={(s) => s.totals.executions === 0} empty="No execution in this range.">
              {(s) => (
                <StackedBars
                  label="Executions per interval, stacked by integration"
                  colors={groupsOf(s)}
                  interval={s.interval}
                  data={pivot(s.buckets, 'executions', s.from, s.to, s.interval)}
                  onBarClick={(group, t) => navigate(link({ integration: named(group) }, kind, bucketWindow(t)))}
                />
              )}
            </QueryView>
          </ChartCard>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <ChartCard title="Failures by integration">
            <QueryView query={byIntegration} isEmpty={(s) => s.totals.failures === 0} empty="No failure in this range.">
              {(s) => (
                <StackedBars
                  label="Failures per interval, stacked by integration"
                  colors={groupsOf(s)}
                  interval={s.interval}
                  data={pivot(s.buckets, 'failures', s.from, s.to, s.interval)}
                  onBarClick={(group, t) => navigate(link({ integration: named(group), failed: true }, kind, bucketWindow(t)))}
                />
              )}
            </QueryView>
          </ChartCard>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <ChartCard title="Executions by status" later>
            <QueryView query={byStatus} isEmpty={(s) => s.totals.executions === 0} empty="No execution in this range.">
              {(s) => (
                <StackedBars
                  label="Executions per interval, stacked by status"
                  colors="status"
                  interval={s.interval}
                  data={pivot(s.buckets, 'executions', s.from, s.to, s.interval)}
                  onBarClick={(status, t) => navigate(link({ extra: statusFilter(kind, status) }, kind, bucketWindow(t)))}
                />
              )}
            </QueryView>
          </ChartCard>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <ChartCard title="Duration p50 / p95" later>
            <QueryView query={overall} isEmpty={(s) => s.totals.executions === 0} empty="No execution in this range.">
              {(s) => <DurationLines label="Duration percentiles per interval" interval={s.interval} buckets={s.buckets} />}
            </QueryView>
          </ChartCard>
        </Grid.Col>
      </Grid>

      <Title order={2} size="h4" mt="lg" mb="sm">
        Failing most
      </Title>
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <TopCard title="Workflows">
          <QueryView query={workflows}>{(s) => <TopList items={topFailing(s)} to={(workflowId) => link({ failed: true, extra: { workflowId } }, 'workflow_execution')} />}</QueryView>
        </TopCard>
        <TopCard title="Tools">
          <QueryView query={tools}>{(s) => <TopList items={topFailing(s)} to={(toolName) => link({ failed: true, extra: { toolName } }, 'tool_call')} />}</QueryView>
        </TopCard>
        <TopCard title="Syncs">
          <QueryView query={syncs}>
            {(page) => (
              <TopList
                items={page.syncs
                  .filter((s) => s.failedRuns > 0)
                  .sort((a, b) => b.failedRuns - a.failedRuns)
                  .slice(0, 5)
                  .map((s) => ({ name: s.syncId, failures: s.failedRuns, of: s.runs }))}
                to={(syncId) => path(`managed-sync/${encodeURIComponent(syncId)}`, { from, syncStatus: 'ERRORED' })}
              />
            )}
          </QueryView>
        </TopCard>
      </SimpleGrid>
    </>
  );
}

/** Every group of an answer: both charts of one answer color a group alike. */
const groupsOf = (stats: Stats): string[] => [...new Set(stats.buckets.map((b) => b.group || '(none)'))];

/** A chart group as a filter value: the executions without one have none to filter on. */
const named = (group: string): string | undefined => (group === '(none)' ? undefined : group);

/** A status of `kind` as its list's status filter. */
function statusFilter(kind: string, status: string): Record<string, string> {
  return kind === 'sync_run' ? { syncStatus: status } : { status };
}

function StatCard({ label, value, to, tone }: { label: string; value: string; to: string; tone?: string }) {
  return (
    <Card withBorder padding="md">
      <Text size="sm" c="dark.4">
        {label}
      </Text>
      <ConsoleLink to={to} aria-label={`${label}: ${value}, see the list`}>
        <Text component="span" fz={28} fw={700} c={tone}>
          {value}
        </Text>
      </ConsoleLink>
    </Card>
  );
}

/** A chart in its card; `later`: drawn after the first charts are on screen (each chart is a long task of its own). */
function ChartCard({ title, children, later = false }: { title: string; children: ReactNode; later?: boolean }) {
  const [show, setShow] = useState(!later);
  useEffect(() => {
    if (show) return;
    const frame = requestAnimationFrame(() => setTimeout(() => setShow(true), 0));
    return () => cancelAnimationFrame(frame);
  }, [show]);
  const placeholder = <div style={{ height: 240 }} data-state="loading" />;
  return (
    <Card withBorder padding="md" component="section" aria-label={title}>
      <Title order={2} size="h5" mb="xs">
        {title}
      </Title>
      <Suspense fallback={placeholder}>{show ? children : placeholder}</Suspense>
    </Card>
  );
}

function TopCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder padding="md" component="section" aria-label={`Failing most: ${title}`}>
      <Title order={3} size="h5" mb="xs">
        {title}
      </Title>
      {children}
    </Card>
  );
}

interface TopItem {
  name: string;
  failures: number;
  of: number;
}

/** Groups of a stats answer by failures, most first; those without failures left out. */
function topFailing(stats: Stats, count = 5): TopItem[] {
  const totals = new Map<string, TopItem>();
  for (const b of stats.buckets) {
    const name = b.group || '(none)';
    const item = totals.get(name) ?? { name, failures: 0, of: 0 };
    item.failures += b.failures;
    item.of += b.executions;
    totals.set(name, item);
  }
  return [...totals.values()]
    .filter((t) => t.failures > 0)
    .sort((a, b) => b.failures - a.failures || a.name.localeCompare(b.name))
    .slice(0, count);
}

function TopList({ items, to }: { items: TopItem[]; to: (name: string) => string }) {
  const list = useMemo(() => items, [items]);
  if (list.length === 0) return <Text size="sm">No failure in this range.</Text>;
  return (
    <List listStyleType="none" spacing={4} p={0}>
      {list.map((item) => (
        <List.Item key={item.name}>
          <Group justify="space-between" wrap="nowrap" gap="xs">
            <Text size="sm" style={{ wordBreak: 'break-all' }}>
              {item.name}
            </Text>
            <ConsoleLink to={to(item.name)} aria-label={`${item.failures} / ${item.of} failed: ${item.name}`}>
              <Text component="span" size="sm" fw={700} c="red.9">
                {formatNumber(item.failures)}
              </Text>{' '}
              <Text component="span" size="xs" c="dark.4">
                / {formatNumber(item.of)}
              </Text>
            </ConsoleLink>
          </Group>
        </List.Item>
      ))}
    </List>
  );
}
