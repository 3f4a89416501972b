import { Table, Text } from '@mantine/core';
import { useApi, useProjectBase } from '../../api/hooks';
import type { Page, Sync } from '../../api/types';
import { SYNC_STATUSES } from '../../api/vocabulary';
import { DateRangeFilter, FilterBar, MultiFilter, TextFilter } from '../../components/Filters';
import { ConsoleLink, RowLink, useConsolePath } from '../../components/Links';
import { PageHeader } from '../../components/PageHeader';
import { OffsetPager } from '../../components/Pager';
import { QueryView } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { pick, useUrlState } from '../../hooks/useUrlState';

const FILTERS = ['userId', 'integration', 'syncStatus', 'from', 'to', 'offset'] as const;
const PAGE = 100;

/** Managed Sync: the project's Syncs with their latest run; a Sync opens its runs. */
export function SyncsPage() {
  const { params } = useUrlState();
  const base = useProjectBase();
  const path = useConsolePath();
  const query = useApi<Page & { syncs: Sync[] }>(`${base}/syncs`, { ...pick(params, FILTERS), limit: PAGE });
  return (
    <>
      <PageHeader title="Managed Sync" description="Each Sync with its latest run; open one for its runs, their summary counts, warnings with retry metadata, and errors.">
        <ConsoleLink to={path('event-logs', { type: 'Managed Sync' })}>All Managed Sync logs</ConsoleLink>
      </PageHeader>
      <FilterBar label="Filter syncs">
        <TextFilter name="userId" label="User ID" />
        <TextFilter name="integration" label="Integration" />
        <MultiFilter name="syncStatus" label="Latest status" values={SYNC_STATUSES} />
        <DateRangeFilter label="Runs" />
      </FilterBar>
      <QueryView query={query} isEmpty={(d) => d.syncs.length === 0} empty="No Sync matches these filters.">
        {(data) => (
          <>
            <Table.ScrollContainer minWidth={860}>
              <Table highlightOnHover fz="sm" aria-label="Syncs" data-testid="syncs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Sync ID</Table.Th>
                    <Table.Th>Integration</Table.Th>
                    <Table.Th>Pipeline</Table.Th>
                    <Table.Th>User</Table.Th>
                    <Table.Th>Latest run</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th ta="right">Runs</Table.Th>
                    <Table.Th ta="right">Failed</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.syncs.map((s) => {
                    const to = path(`managed-sync/${encodeURIComponent(s.syncId)}`);
                    return (
                      <RowLink key={s.syncId} to={to}>
                        <Table.Td>
                          <ConsoleLink to={to}>{s.syncId}</ConsoleLink>
                        </Table.Td>
                        <Table.Td>{s.integration}</Table.Td>
                        <Table.Td>{s.pipeline ?? '—'}</Table.Td>
                        <Table.Td>{s.userId}</Table.Td>
                        <Table.Td>
                          {s.syncType} · <Time value={s.lastRun.startedAt} />
                        </Table.Td>
                        <Table.Td>
                          <StatusBadge value={s.lastRun.syncStatus} />
                        </Table.Td>
                        <Table.Td ta="right">{s.runs}</Table.Td>
                        <Table.Td ta="right">{s.failedRuns > 0 ? <Text span c="red.9" size="sm" fw={600}>{s.failedRuns}</Text> : 0}</Table.Td>
                      </RowLink>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <OffsetPager total={data.total} shown={data.syncs.length} nextLink={data.nextLink} pageSize={PAGE} />
          </>
        )}
      </QueryView>
    </>
  );
}
