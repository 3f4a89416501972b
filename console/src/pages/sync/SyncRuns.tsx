import { Fragment } from 'react';
import { Anchor, Table, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { useApi, useProjectBase } from '../../api/hooks';
import type { Page, SyncProblem, SyncRun } from '../../api/types';
import { SYNC_STATUSES, SYNC_TYPES } from '../../api/vocabulary';
import { DateRangeFilter, FilterBar, MultiFilter } from '../../components/Filters';
import { ConsoleLink, TraceLink, useConsolePath } from '../../components/Links';
import { PageHeader } from '../../components/PageHeader';
import { OffsetPager } from '../../components/Pager';
import { QueryView } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { pick, useUrlState } from '../../hooks/useUrlState';
import { formatDuration } from '../../lib/time';

const FILTERS = ['syncType', 'syncStatus', 'from', 'to', 'offset'] as const;
const PAGE = 100;
const SUMMARY: ReadonlyArray<readonly [string, string]> = [
  ['created', 'Created'],
  ['updated', 'Updated'],
  ['deleted', 'Deleted'],
  ['totalProcessed', 'Processed'],
  ['totalChanges', 'Changes'],
];

/** The runs of one Sync: type, final status, summary counts; a run expands to its warnings (with retry metadata) and errors. */
export function SyncRunsPage() {
  const { syncId = '' } = useParams();
  const { params, get, set } = useUrlState();
  const base = useProjectBase();
  const path = useConsolePath();
  const query = useApi<Page & { runs: SyncRun[] }>(`${base}/syncs/${encodeURIComponent(syncId)}/runs`, { ...pick(params, FILTERS), limit: PAGE });
  const open = get('run');
  return (
    <>
      <PageHeader title={`Sync ${syncId}`} description="Its runs (initial, incremental, full…), newest first.">
        <ConsoleLink to={path('event-logs', { type: 'Managed Sync', syncId })}>Logs of this Sync</ConsoleLink>
        <Anchor component={Link} to={path('managed-sync')} size="sm">
          ← Managed Sync
        </Anchor>
      </PageHeader>
      <FilterBar label="Filter sync runs">
        <MultiFilter name="syncType" label="Sync type" values={SYNC_TYPES} />
        <MultiFilter name="syncStatus" label="Sync status" values={SYNC_STATUSES} />
        <DateRangeFilter label="Started" />
      </FilterBar>
      <QueryView query={query} isEmpty={(d) => d.runs.length === 0} empty="No run of this Sync matches these filters.">
        {(data) => (
          <>
            <Table.ScrollContainer minWidth={980}>
              <Table fz="sm" aria-label="Sync runs" data-testid="sync-runs" style={{ whiteSpace: 'nowrap' }}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Started</Table.Th>
                    <Table.Th>Type</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Pipeline</Table.Th>
                    <Table.Th ta="right">Duration</Table.Th>
                    {SUMMARY.map(([, label]) => (
                      <Table.Th key={label} ta="right">
                        {label}
                      </Table.Th>
                    ))}
                    <Table.Th ta="right">Warnings</Table.Th>
                    <Table.Th ta="right">Errors</Table.Th>
                    <Table.Th>Trace</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.runs.map((r) => {
                    const expanded = open === r.traceId;
                    const problems = r.warnings.length + r.errors.length;
                    return (
                      <Fragment key={r.traceId}>
                        <Table.Tr>
                          <Table.Td>
                            <UnstyledButton
                              fz="sm"
                              aria-expanded={expanded}
                              aria-controls={`run-${r.traceId}`}
                              disabled={problems === 0}
                              onClick={() => set({ run: expanded ? undefined : r.traceId }, { keepPage: true, replace: true })}
                            >
                              <span aria-hidden>{problems === 0 ? '  ' : expanded ? '▾ ' : '▸ '}</span>
                              <Time value={r.startedAt} />
                              {problems > 0 && <VisuallyHidden>, {problems} warnings and errors</VisuallyHidden>}
                            </UnstyledButton>
                          </Table.Td>
                          <Table.Td>{r.syncType}</Table.Td>
                          <Table.Td>
                            <StatusBadge value={r.syncStatus} />
                          </Table.Td>
                          <Table.Td>{r.pipeline ?? '—'}</Table.Td>
                          <Table.Td ta="right">{formatDuration(r.durationMs)}</Table.Td>
                          {SUMMARY.map(([name]) => (
                            <Table.Td key={name} ta="right">
                              {r.summary?.[name] ?? '—'}
                            </Table.Td>
                          ))}
                          <Table.Td ta="right">{r.warnings.length}</Table.Td>
                          <Table.Td ta="right">{r.errors.length > 0 ? <Text span c="red.9" fw={600} size="sm">{r.errors.length}</Text> : 0}</Table.Td>
                          <Table.Td>
                            <TraceLink traceId={r.traceId} />
                          </Table.Td>
                        </Table.Tr>
                        {expanded && (
                          <Table.Tr id={`run-${r.traceId}`}>
                            <Table.Td colSpan={SUMMARY.length + 8} bg="var(--mantine-color-gray-0)">
                              <ProblemTable problems={[...r.warnings, ...r.errors]} />
                            </Table.Td>
                          </Table.Tr>
                        )}
                      </Fragment>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <OffsetPager total={data.total} shown={data.runs.length} nextLink={data.nextLink} pageSize={PAGE} />
          </>
        )}
      </QueryView>
    </>
  );
}

function ProblemTable({ problems }: { problems: SyncProblem[] }) {
  return (
    <Table fz="xs" aria-label="Warnings and errors of the run">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Time</Table.Th>
          <Table.Th>Level</Table.Th>
          <Table.Th>Sync event</Table.Th>
          <Table.Th>Message</Table.Th>
          <Table.Th>Error</Table.Th>
          <Table.Th>Retry</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {problems.map((p, i) => (
          <Table.Tr key={i}>
            <Table.Td>
              <Time value={p.timestamp} />
            </Table.Td>
            <Table.Td>
              <StatusBadge value={p.level} />
            </Table.Td>
            <Table.Td>{p.syncEvent}</Table.Td>
            <Table.Td>{p.message}</Table.Td>
            <Table.Td>{[p.errorCode, p.httpStatus && `HTTP ${p.httpStatus}`, p.recoverability].filter(Boolean).join(' · ') || '—'}</Table.Td>
            <Table.Td>
              {p.retry ? (
                <>
                  {p.retry.attempt !== null && `attempt ${p.retry.attempt}${p.retry.maxAttempts !== null ? ` of ${p.retry.maxAttempts}` : ''}`}
                  {p.retry.backoffMs !== null && `, backoff ${formatDuration(p.retry.backoffMs)}`}
                  {p.retry.nextRetryAt && (
                    <>
                      , next <Time value={p.retry.nextRetryAt} />
                    </>
                  )}
                </>
              ) : (
                '—'
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
