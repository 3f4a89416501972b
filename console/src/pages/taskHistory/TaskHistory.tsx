import { Table } from '@mantine/core';
import { useApi, useProjectBase } from '../../api/hooks';
import type { Page, WorkflowExecution } from '../../api/types';
import { WORKFLOW_STATUSES } from '../../api/vocabulary';
import { DateRangeFilter, FilterBar, MultiFilter, SelectFilter, TextFilter } from '../../components/Filters';
import { ConsoleLink, RowLink, useConsolePath } from '../../components/Links';
import { PageHeader } from '../../components/PageHeader';
import { OffsetPager } from '../../components/Pager';
import { QueryView } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { pick, useUrlState } from '../../hooks/useUrlState';
import { formatDuration } from '../../lib/time';

const FILTERS = ['integration', 'userId', 'workflowId', 'status', 'afterDate', 'beforeDate', 'sortBy', 'offset'] as const;
const PAGE = 100;

/** Task History: workflow executions with the API's filters, 100 a page through nextLink. */
export function TaskHistoryPage() {
  const { params } = useUrlState();
  const base = useProjectBase();
  const path = useConsolePath();
  const query = useApi<Page & { workflowExecutions: WorkflowExecution[] }>(`${base}/task-history/workflow-executions`, { sortBy: 'DESC', ...pick(params, FILTERS) });

  return (
    <>
      <PageHeader title="Task History" description="Workflow executions: who ran what, when, and how it ended. Open one to see its steps." />
      <FilterBar label="Filter workflow executions">
        <TextFilter name="integration" label="Integration" placeholder="e.g. salesforce" />
        <TextFilter name="userId" label="User ID" />
        <TextFilter name="workflowId" label="Workflow ID" />
        <MultiFilter name="status" label="Status" values={WORKFLOW_STATUSES} />
        <DateRangeFilter fromName="afterDate" toName="beforeDate" label="Started" />
        <SelectFilter
          name="sortBy"
          label="Order"
          fallback="DESC"
          options={[
            { value: 'DESC', label: 'Newest first' },
            { value: 'ASC', label: 'Oldest first' },
          ]}
        />
      </FilterBar>
      <QueryView query={query} isEmpty={(d) => d.workflowExecutions.length === 0} empty="No workflow execution matches these filters.">
        {(data) => (
          <>
            <Table.ScrollContainer minWidth={760}>
              <Table highlightOnHover fz="sm" aria-label="Workflow executions" data-testid="workflow-executions">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Started</Table.Th>
                    <Table.Th>Execution</Table.Th>
                    <Table.Th>Workflow</Table.Th>
                    <Table.Th>User</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th ta="right">Duration</Table.Th>
                    <Table.Th ta="right">Tasks</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.workflowExecutions.map((e) => {
                    const to = path(`task-history/${e.id}`);
                    return (
                      <RowLink key={e.id} to={to}>
                        <Table.Td>
                          <Time value={e.dateStarted} />
                        </Table.Td>
                        <Table.Td>
                          <ConsoleLink to={to} title={`Execution ${e.id}`}>
                            <code>{e.id.slice(0, 8)}</code>
                          </ConsoleLink>
                        </Table.Td>
                        <Table.Td>{e.workflowId}</Table.Td>
                        <Table.Td>{e.userId}</Table.Td>
                        <Table.Td>
                          <StatusBadge value={e.status} />
                        </Table.Td>
                        <Table.Td ta="right">{formatDuration(e.runDuration)}</Table.Td>
                        <Table.Td ta="right">{e.taskCount}</Table.Td>
                      </RowLink>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <OffsetPager total={data.total} shown={data.workflowExecutions.length} nextLink={data.nextLink} pageSize={PAGE} />
          </>
        )}
      </QueryView>
    </>
  );
}
