import { Table, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import { useApi, useProjectBase } from '../../api/hooks';
import type { Job, Page } from '../../api/types';
import { DateRangeFilter, FilterBar, TextFilter } from '../../components/Filters';
import { ConsoleLink, RowLink, useConsolePath } from '../../components/Links';
import { PageHeader } from '../../components/PageHeader';
import { OffsetPager } from '../../components/Pager';
import { QueryView } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { pick, useUrlState } from '../../hooks/useUrlState';
import { formatDuration } from '../../lib/time';

const FILTERS = ['recipeId', 'status', 'userId', 'masterJobId', 'callingJobId', 'rootJobId', 'from', 'to', 'offset'] as const;
const PAGE = 100;

/** Workato job history: recipe jobs (those the agents' skills start among them), newest first. */
export function JobsPage() {
  const { params } = useUrlState();
  const base = useProjectBase();
  const query = useApi<Page & { jobs: Job[] }>(`${base}/workato/jobs`, { ...pick(params, FILTERS), limit: PAGE });
  return (
    <>
      <PageHeader title="Recipe jobs" description="Workato job history: each recipe job with its status, duration and error; open one for its lines and the jobs it called." />
      <FilterBar label="Filter recipe jobs">
        <TextFilter name="recipeId" label="Recipe ID" />
        <TextFilter name="status" label="Status" placeholder="e.g. failed" width={140} />
        <TextFilter name="userId" label="User ID" />
        <TextFilter name="rootJobId" label="Root job ID" />
        <DateRangeFilter label="Started" />
      </FilterBar>
      <JobTable query={query} />
    </>
  );
}

export function JobTable({ query }: { query: UseQueryResult<Page & { jobs: Job[] }, Error> }) {
  const path = useConsolePath();
  return (
    <QueryView query={query} isEmpty={(d) => d.jobs.length === 0} empty="No recipe job matches these filters.">
      {(data) => (
        <>
          <JobRows jobs={data.jobs} label="Recipe jobs" path={path} />
          <OffsetPager total={data.total} shown={data.jobs.length} nextLink={data.nextLink} pageSize={PAGE} />
        </>
      )}
    </QueryView>
  );
}

export function JobRows({ jobs, label, path }: { jobs: Job[]; label: string; path: ReturnType<typeof useConsolePath> }) {
  if (jobs.length === 0) return <Text size="sm">None.</Text>;
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table highlightOnHover fz="sm" aria-label={label} data-testid="jobs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Started</Table.Th>
            <Table.Th>Job</Table.Th>
            <Table.Th>Recipe</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th ta="right">Duration</Table.Th>
            <Table.Th>Error</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {jobs.map((j) => {
            const to = path(`agents/jobs/${encodeURIComponent(j.jobId)}`);
            return (
              <RowLink key={j.jobId} to={to}>
                <Table.Td>
                  <Time value={j.startedAt} />
                </Table.Td>
                <Table.Td>
                  <ConsoleLink to={to}>{j.jobId}</ConsoleLink>
                </Table.Td>
                <Table.Td>{j.recipeName ? `${j.recipeName} (${j.recipeId})` : j.recipeId}</Table.Td>
                <Table.Td>
                  <StatusBadge value={j.status} />
                </Table.Td>
                <Table.Td ta="right">{formatDuration(j.durationMs)}</Table.Td>
                <Table.Td>{j.error ? [j.error.type, j.error.message].filter(Boolean).join(': ') : ''}</Table.Td>
              </RowLink>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
