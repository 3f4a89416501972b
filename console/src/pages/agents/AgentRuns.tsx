import { Table } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import { useApi, useProjectBase } from '../../api/hooks';
import type { AgentRun, Page } from '../../api/types';
import { AGENT_RUN_STATUSES } from '../../api/vocabulary';
import { DateRangeFilter, FilterBar, MultiFilter, TextFilter } from '../../components/Filters';
import { ConsoleLink, RowLink, useConsolePath } from '../../components/Links';
import { PageHeader } from '../../components/PageHeader';
import { OffsetPager } from '../../components/Pager';
import { QueryView } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { pick, useUrlState } from '../../hooks/useUrlState';
import { formatDuration } from '../../lib/time';

const FILTERS = ['agentId', 'conversationId', 'userId', 'status', 'from', 'to', 'offset'] as const;
const PAGE = 100;

/** Agent runs; a run opens its LLM calls, tool executions and guardrails, a conversation its runs in order. */
export function AgentRunsPage() {
  const { params } = useUrlState();
  const base = useProjectBase();
  const path = useConsolePath();
  const query = useApi<Page & { agentRuns: AgentRun[] }>(`${base}/agent-runs`, { ...pick(params, FILTERS), limit: PAGE });
  return (
    <>
      <PageHeader title="Agents" description="Agent runs and conversations: LLM calls with their model, tokens and latency, tool executions, guardrails." />
      <FilterBar label="Filter agent runs">
        <TextFilter name="agentId" label="Agent ID" />
        <TextFilter name="conversationId" label="Conversation ID" />
        <TextFilter name="userId" label="User ID" />
        <MultiFilter name="status" label="Status" values={AGENT_RUN_STATUSES} />
        <DateRangeFilter label="Started" />
      </FilterBar>
      <AgentRunTable query={query} path={path} />
    </>
  );
}

export function AgentRunTable({ query, path }: { query: UseQueryResult<Page & { agentRuns: AgentRun[] }, Error>; path: ReturnType<typeof useConsolePath> }) {
  return (
    <QueryView query={query} isEmpty={(d) => d.agentRuns.length === 0} empty="No agent run matches these filters.">
      {(data) => (
        <>
          <Table.ScrollContainer minWidth={760}>
            <Table highlightOnHover fz="sm" aria-label="Agent runs" data-testid="agent-runs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Started</Table.Th>
                  <Table.Th>Run</Table.Th>
                  <Table.Th>Agent</Table.Th>
                  <Table.Th>Conversation</Table.Th>
                  <Table.Th>User</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th ta="right">Duration</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.agentRuns.map((r) => {
                  const to = path(`agents/runs/${r.runId}`);
                  return (
                    <RowLink key={r.runId} to={to}>
                      <Table.Td>
                        <Time value={r.startedAt} />
                      </Table.Td>
                      <Table.Td>
                        <ConsoleLink to={to} title={`Agent run ${r.runId}`}>
                          <code>{r.runId.slice(0, 8)}</code>
                        </ConsoleLink>
                      </Table.Td>
                      <Table.Td>{r.agentName ? `${r.agentName} (${r.agentId})` : r.agentId}</Table.Td>
                      <Table.Td>
                        <ConsoleLink to={path(`agents/conversations/${encodeURIComponent(r.conversationId)}`)}>{r.conversationId}</ConsoleLink>
                      </Table.Td>
                      <Table.Td>{r.userId}</Table.Td>
                      <Table.Td>
                        <StatusBadge value={r.status} />
                      </Table.Td>
                      <Table.Td ta="right">{formatDuration(r.durationMs)}</Table.Td>
                    </RowLink>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <OffsetPager total={data.total} shown={data.agentRuns.length} nextLink={data.nextLink} pageSize={PAGE} />
        </>
      )}
    </QueryView>
  );
}
