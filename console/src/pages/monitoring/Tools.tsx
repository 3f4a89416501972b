import { useEffect, useState } from 'react';
import { Table, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useApi, useProjectBase } from '../../api/hooks';
import type { Page, ToolCall } from '../../api/types';
import { TOOL_CALL_STATUSES } from '../../api/vocabulary';
import { DateRangeFilter, FilterBar, MultiFilter, TextFilter } from '../../components/Filters';
import { ConsoleLink, RowLink, useConsolePath } from '../../components/Links';
import { PageHeader } from '../../components/PageHeader';
import { OffsetPager } from '../../components/Pager';
import { QueryView } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { pick, useUrlState } from '../../hooks/useUrlState';
import { formatDuration } from '../../lib/time';
import { MonitoringTabs } from './MonitoringTabs';

const FILTERS = ['userId', 'integration', 'status', 'toolName', 'traceId', 'requestId', 'from', 'to', 'offset'] as const;
const PAGE = 100;
const TRACE_ID = /^[0-9a-fA-F]{32}$/;

/** Monitoring → Tools: every List Tools and Run Tool request; a row opens its Log Trace. */
export function ToolsPage() {
  const { params } = useUrlState();
  const base = useProjectBase();
  const path = useConsolePath();
  const query = useApi<Page & { toolCalls: ToolCall[] }>(`${base}/actionkit/tool-calls`, { ...pick(params, FILTERS), limit: PAGE });

  return (
    <>
      <PageHeader title="Monitoring" description="ActionKit tool calls: how your agents use tools on behalf of your users, and why calls fail." />
      <MonitoringTabs current="tools" />
      <FilterBar label="Filter tool calls">
        <TextFilter name="userId" label="User ID" />
        <TextFilter name="integration" label="Integration" placeholder="e.g. slack" />
        <MultiFilter name="status" label="Status" values={TOOL_CALL_STATUSES} width={180} />
        <TextFilter name="toolName" label="Tool name" placeholder="e.g. SLACK_SEND_MESSAGE" width={220} />
        <TraceOrRequestFilter />
        <DateRangeFilter label="Received" />
      </FilterBar>
      <QueryView query={query} isEmpty={(d) => d.toolCalls.length === 0} empty="No tool call matches these filters.">
        {(data) => (
          <>
            <Table.ScrollContainer minWidth={760}>
              <Table highlightOnHover fz="sm" aria-label="Tool calls" data-testid="tool-calls">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Received</Table.Th>
                    <Table.Th>Request</Table.Th>
                    <Table.Th>Tool</Table.Th>
                    <Table.Th>Integration</Table.Th>
                    <Table.Th>User</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th ta="right">Duration</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.toolCalls.map((c) => {
                    const to = path(`monitoring/tools/${c.requestId}`);
                    return (
                      <RowLink key={c.requestId} to={to}>
                        <Table.Td>
                          <Time value={c.receivedAt} />
                        </Table.Td>
                        <Table.Td>
                          <ConsoleLink to={to} title={`Log Trace of request ${c.requestId}`}>
                            {c.operation}
                          </ConsoleLink>
                        </Table.Td>
                        <Table.Td>{c.toolName ?? '—'}</Table.Td>
                        <Table.Td>{c.integration}</Table.Td>
                        <Table.Td>{c.userId}</Table.Td>
                        <Table.Td>
                          <StatusBadge value={c.status} />
                        </Table.Td>
                        <Table.Td ta="right">{formatDuration(c.durationMs)}</Table.Td>
                      </RowLink>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <OffsetPager total={data.total} shown={data.toolCalls.length} nextLink={data.nextLink} pageSize={PAGE} />
          </>
        )}
      </QueryView>
    </>
  );
}

/** One box for "Trace ID" as the seed has it: a 32-hex trace id, or the requestId an error answer returned. */
function TraceOrRequestFilter() {
  const { get, set } = useUrlState();
  const value = get('traceId') ?? get('requestId') ?? '';
  return (
    <TraceOrRequestInput
      value={value}
      onCommit={(text) => {
        const t = text.trim();
        set(TRACE_ID.test(t) ? { traceId: t, requestId: undefined } : { requestId: t, traceId: undefined });
      }}
    />
  );
}

function TraceOrRequestInput({ value, onCommit }: { value: string; onCommit: (text: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText((current) => (current.trim() === value ? current : value)), [value]);
  const commit = useDebouncedCallback(onCommit, 500);
  return (
    <TextInput
      label="Trace or request ID"
      size="xs"
      w={290}
      value={text}
      name="traceOrRequestId"
      onChange={(e) => {
        setText(e.currentTarget.value);
        commit(e.currentTarget.value);
      }}
      onKeyDown={(e) => e.key === 'Enter' && commit.flush()}
      onBlur={() => commit.flush()}
    />
  );
}
