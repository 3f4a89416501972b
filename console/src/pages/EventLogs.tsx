import { Fragment } from 'react';
import { Button, Group, Table, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useApi, useProjectBase } from '../api/hooks';
import type { EventLog } from '../api/types';
import { LEVELS, LOG_TYPES, SYNC_STATUSES, SYNC_TYPES } from '../api/vocabulary';
import { DateRangeFilter, FilterBar, MultiFilter, TextFilter } from '../components/Filters';
import { JsonBlock } from '../components/JsonBlock';
import { ConsoleLink, useConsolePath } from '../components/Links';
import { PageHeader } from '../components/PageHeader';
import { CursorPager } from '../components/Pager';
import { QueryView } from '../components/States';
import { StatusBadge } from '../components/StatusBadge';
import { Time } from '../components/Time';
import { pick, useUrlState } from '../hooks/useUrlState';

const FILTERS = ['q', 'level', 'type', 'userId', 'integrationId', 'traceId', 'syncId', 'syncEvent', 'syncType', 'syncStatus', 'jobId', 'from', 'to', 'cursor'] as const;
export const EVENT_LOG_PAGE = 100;

/**
 * Event Logs, as Paragon's Logs tab: Timestamp, Type and Message, newest
 * first; filters for level, type, user, integration, trace id and time, and a
 * text search; a log expands to its full event object and leads to its trace.
 */
export function EventLogsPage() {
  const { params, get, set } = useUrlState();
  const base = useProjectBase();
  const path = useConsolePath();
  const query = useApi<{ logs: EventLog[]; nextCursor?: string }>(`${base}/event-logs`, { ...pick(params, FILTERS), limit: EVENT_LOG_PAGE });
  const open = get('open');
  const types = (get('type') ?? '').split(',');
  const syncFilters = types.includes('Managed Sync') || ['syncId', 'syncEvent', 'syncType', 'syncStatus'].some((name) => params.has(name));

  return (
    <>
      <PageHeader title="Event Logs" description="Every event of the project, newest first. Expand a log to see its full event object, and follow its trace." />
      <FilterBar label="Filter event logs">
        <TextFilter name="q" label="Search messages" placeholder="text in the message" width={220} />
        <MultiFilter name="level" label="Level" values={LEVELS} width={170} />
        <MultiFilter name="type" label="Type" values={LOG_TYPES} width={220} />
        <TextFilter name="userId" label="User ID" />
        <TextFilter name="integrationId" label="Integration ID" placeholder="e.g. salesforce" />
        <TextFilter name="traceId" label="Trace ID" width={270} />
        <DateRangeFilter label="Timestamp" />
        {syncFilters && (
          <>
            <TextFilter name="syncId" label="Sync ID" />
            <TextFilter name="syncEvent" label="Sync event" placeholder="e.g. SYNC_RUN_ERROR" />
            <MultiFilter name="syncType" label="Sync type" values={SYNC_TYPES} />
            <MultiFilter name="syncStatus" label="Sync status" values={SYNC_STATUSES} />
          </>
        )}
        {(params.has('jobId') || types.includes('Job')) && <TextFilter name="jobId" label="Job ID" />}
      </FilterBar>
      <QueryView query={query} isEmpty={(d) => d.logs.length === 0} empty="No log matches these filters.">
        {(data) => (
          <>
            <Table.ScrollContainer minWidth={720}>
              <Table verticalSpacing={6} fz="sm" aria-label="Event logs" data-testid="event-logs">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={240}>Timestamp</Table.Th>
                    <Table.Th w={90}>Level</Table.Th>
                    <Table.Th w={150}>Type</Table.Th>
                    <Table.Th>Message</Table.Th>
                    <Table.Th w={150}>Trace</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.logs.map((log) => {
                    const expanded = open === log.id;
                    const detailId = `log-${log.id}`;
                    return (
                      <Fragment key={log.id}>
                        <Table.Tr data-row="log" style={{ cursor: 'pointer' }} onClick={(e) => !(e.target as HTMLElement).closest('a,button') && set({ open: expanded ? undefined : log.id }, { keepPage: true, replace: true })}>
                          <Table.Td>
                            <UnstyledButton
                              aria-expanded={expanded}
                              aria-controls={detailId}
                              onClick={() => set({ open: expanded ? undefined : log.id }, { keepPage: true, replace: true })}
                              fz="sm"
                              style={{ whiteSpace: 'nowrap' }}
                            >
                              <span aria-hidden>{expanded ? '▾' : '▸'} </span>
                              <Time value={log.timestamp} />
                              <VisuallyHidden>, log: {log.message}</VisuallyHidden>
                            </UnstyledButton>
                          </Table.Td>
                          <Table.Td>
                            <StatusBadge value={log.level} />
                          </Table.Td>
                          <Table.Td>{log.type || '—'}</Table.Td>
                          <Table.Td style={{ wordBreak: 'break-word' }}>{log.message}</Table.Td>
                          <Table.Td>
                            {log.traceId ? (
                              <ConsoleLink to={path(`traces/${log.traceId}`)} title={`Trace ${log.traceId}`}>
                                <code>{log.traceId.slice(0, 12)}…</code>
                              </ConsoleLink>
                            ) : (
                              '—'
                            )}
                          </Table.Td>
                        </Table.Tr>
                        {expanded && (
                          <Table.Tr id={detailId}>
                            <Table.Td colSpan={5} bg="var(--mantine-color-gray-0)">
                              <Group justify="space-between" mb="xs">
                                <Text size="sm" fw={600}>
                                  {log.otelEventName || 'Event'} · {log.serviceName}
                                </Text>
                                {log.traceId && (
                                  <Group gap="xs">
                                    <Button size="compact-xs" variant="default" onClick={() => set({ traceId: log.traceId, open: undefined })}>
                                      Only this trace’s logs
                                    </Button>
                                    <Button size="compact-xs" component={Link} to={path(`traces/${log.traceId}`)}>
                                      Open trace
                                    </Button>
                                  </Group>
                                )}
                              </Group>
                              <JsonBlock value={log.event} label={`Event object of the log at ${log.timestamp}`} />
                            </Table.Td>
                          </Table.Tr>
                        )}
                      </Fragment>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <CursorPager nextCursor={data.nextCursor} shown={data.logs.length} />
          </>
        )}
      </QueryView>
    </>
  );
}
