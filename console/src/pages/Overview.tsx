import { Suspense, lazy, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Card, Grid, Group, List, SimpleGrid, Text, Title } from '@mantine/core';
import { useNavigate } from 'react-router-dom';
import type { QueryClient } from '@tanstack/react-query';
import { prefetchApi, useApi, useProjectBase } from '../api/hooks';
import type { QueryParams } from '../api/client';
import { loadSession } from '../auth/session';
import type { Page, Stats, Sync } from '../api/types';
import { OVERVIEW_KINDS } from '../api/vocabulary';
import { SelectFilter } from '../components/Filters';
import { ConsoleLink, useConsolePath } from '../components/Links';
import { PageHeader } from '../components/PageHeader';
import { QueryView } from '../components/States';
import { useUrlState } from '../hooks/useUrlState';
import { formatNumber } from '../lib/time';
import { pivot, type Pivot } from './overview/pivot';
import { StackedBars } from './overview/StackedBars';

// recharts is the largest part of the console, for the duration lines only (the bars are plain SVG: StackedBars):
// it loads beside the data (from the page's first render), not before it, and only for the Overview.
let charts: Promise<typeof import('./overview/charts')> | undefined;
const loadCharts = () => (charts ??= import('./overview/charts'));
const DurationLines = lazy(() => loadCharts().then((m) => ({ default: m.DurationLines })));
import { listLink } from './overview/links';

const RANGES = { '24h': { hours: 24, interval: 'hour' }, '7d': { hours: 24 * 7, interval: 'hour' }, '30d': { hours: 24 * 30, interval: 'day' } } as const;
type Range = keyof typeof RANGES;

/** When the Overview opened, to the minute above: the time prefetchOverview asked about, if it did. */
let prefetchedAt: number | undefined;
function openedAt(): number {
  const at = prefetchedAt ?? Math.ceil(Date.now() / 60_000) * 60_000;
  prefetchedAt = undefined;
  return at;
}

/** What the Overview asks the API, as [path, parameters] for useApi, for its kind and range at `now`. */
function overviewRequests(base: string, kind: string, rangeName: string, now: number) {
  const range = RANGES[rangeName as Range] ?? RANGES['24h'];
  const from = new Date(now - range.hours * 3_600_000).toISOString();
  const stats = (groupBy: string | undefined, statKind = kind, interval: string = range.interval): [string, QueryParams] => [`${base}/stats/executions`, { kind: statKind, groupBy, interval, from }];
  return {
    from,
    byIntegration: stats('integration'),
    byStatus: stats('status'),
    overall: stats(undefined),
    workflows: stats('workflow', 'workflow_execution', 'day'),
    tools: stats('tool', 'tool_call', 'day'),
    syncs: [`${base}/syncs`, { from, limit: 500 }] as [string, QueryParams],
  };
}

/**
 * Opening the console on the Overview of the signed-in project: asks the API
 * its questions at once, while the page is still rendering for the first
 * time, rather than after it.
 */
export function prefetchOverview(client: QueryClient, location: { pathname: string; search: string }): void {
  const session = loadSession();
  const match = /^\/p\/([^/]+)\/overview\/?$/.exec(location.pathname);
  const projectId = match ? decodeURIComponent(match[1]!) : undefined;
  if (!session || projectId === undefined || projectId !== session.projectId) return;
  const search = new URLSearchParams(location.search);
  prefetchedAt = Math.ceil(Date.now() / 60_000) * 60_000;
  const { from: _from, ...requests } = overviewRequests(`/projects/${encodeURIComponent(projectId)}`, search.get('kind') ?? 'workflow_execution', search.get('range') ?? '24h', prefetchedAt);
  for (const [path, params] of Object.values(requests)) prefetchApi(client, session, path, params);
}

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
  const [now] = useState(openedAt);
  const asked = overviewRequests(base, kind, rangeName, now);
  const from = asked.from;

  const byIntegration = useApi<Stats>(...asked.byIntegration);
  // The duration lines (recharts, a long task) are drawn in a frame after the bars, so as not to hold them back.
  const lines = useAfterAFrame(!byIntegration.isPending);
  const byStatus = useApi<Stats>(...asked.byStatus);
  const overall = useApi<Stats>(...asked.overall);
  const workflows = useApi<Stats>(...asked.workflows);
  const tools = useApi<Stats>(...asked.tools);
  const syncs = useApi<Page & { syncs: Sync[] }>(...asked.syncs);

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
          <ChartCard title="Executions by integration" label="Executions per interval, stacked by integration">
            <QueryView query={byIntegration} isEmpty={(s) => s.totals.executions === 0} empty="No execution in this range.">
              {(s) => (
                <StackedBars
                  colors={groupsOf(s)}
                  interval={s.interval}
                  data={pivotOf(s, 'executions')}
                  onBarClick={(group, t) => navigate(link({ integration: named(group) }, kind, bucketWindow(t)))}
                />
              )}
            </QueryView>
          </ChartCard>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <ChartCard title="Failures by integration" label="Failures per interval, stacked by integration">
            <QueryView query={byIntegration} isEmpty={(s) => s.totals.failures === 0} empty="No failure in this range.">
              {(s) => (
                <StackedBars
                  colors={groupsOf(s)}
                  interval={s.interval}
                  data={pivotOf(s, 'failures')}
                  onBarClick={(group, t) => navigate(link({ integration: named(group), failed: true }, kind, bucketWindow(t)))}
                />
              )}
            </QueryView>
          </ChartCard>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <ChartCard title="Executions by status" label="Executions per interval, stacked by status">
            <QueryView query={byStatus} isEmpty={(s) => s.totals.executions === 0} empty="No execution in this range.">
              {(s) => (
                <StackedBars
                  colors="status"
                  interval={s.interval}
                  data={pivotOf(s, 'executions')}
                  onBarClick={(status, t) => navigate(link({ extra: statusFilter(kind, status) }, kind, bucketWindow(t)))}
                />
              )}
            </QueryView>
          </ChartCard>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 6 }}>
          <ChartCard title="Duration p50 / p95" label="Duration percentiles per interval" show={lines}>
            <QueryView query={overall} isEmpty={(s) => s.totals.executions === 0} empty="No execution in this range.">
              {(s) => <DurationLines interval={s.interval} buckets={s.buckets} />}
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

const pivots = new WeakMap<Stats, Partial<Record<'executions' | 'failures', Pivot>>>();

/** An answer's buckets as chart rows, the same rows each time for the same answer (so a chart is not drawn again for nothing). */
function pivotOf(stats: Stats, value: 'executions' | 'failures'): Pivot {
  let of = pivots.get(stats);
  if (!of) pivots.set(stats, (of = {}));
  return (of[value] ??= pivot(stats.buckets, value, stats.from, stats.to, stats.interval));
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

/** False until a frame after `started`: what is drawn then is a task after the frame that showed the rest. */
function useAfterAFrame(started: boolean): boolean {
  const [after, setAfter] = useState(false);
  useEffect(() => {
    if (!started || after) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => (timer = setTimeout(() => setAfter(true), 0)));
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [started, after]);
  return after;
}

/**
 * A chart in its card, as a figure named `label` from the start: until the
 * chart is drawn (until `show`, while its chunk loads), a placeholder of its
 * size, marked busy.
 */
function ChartCard({ title, label, children, show = true }: { title: string; label: string; children: ReactNode; show?: boolean }) {
  const placeholder = <div style={{ height: 240 }} data-state="loading" />;
  return (
    <Card withBorder padding="md" component="section" aria-label={title}>
      <Title order={2} size="h5" mb="xs">
        {title}
      </Title>
      <figure aria-label={label} style={{ margin: 0 }}>
        <Suspense fallback={placeholder}>{show ? children : placeholder}</Suspense>
      </figure>
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
