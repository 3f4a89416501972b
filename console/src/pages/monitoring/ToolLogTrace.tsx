import { Anchor, Badge, Paper, Stack, Table, Text } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { useApi, useProjectBase } from '../../api/hooks';
import type { ToolCallTrace } from '../../api/types';
import { AttributeTable, Fields } from '../../components/Fields';
import { JsonBlock } from '../../components/JsonBlock';
import { TraceLink, useConsolePath } from '../../components/Links';
import { PageHeader, Section } from '../../components/PageHeader';
import { QueryView } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { formatDuration } from '../../lib/time';
import { LogList } from './LogList';

/**
 * The Log Trace of one tool call: the request Flowtrace received, the events
 * within, and each API request to the provider. Response bodies come only with
 * error-level logs; a successful request shows none.
 */
export function ToolLogTracePage() {
  const { requestId = '' } = useParams();
  const base = useProjectBase();
  const path = useConsolePath();
  const query = useApi<ToolCallTrace>(`${base}/actionkit/tool-calls/${encodeURIComponent(requestId)}`, {}, { keepPrevious: false });
  return (
    <>
      <PageHeader title="Log Trace" description={<code>{requestId}</code>}>
        <Anchor component={Link} to={path('monitoring/tools')} size="sm">
          ← Tools
        </Anchor>
      </PageHeader>
      <QueryView query={query}>
        {(c) => (
          <>
            <Paper withBorder p="md" mb="lg">
              <Fields
                items={[
                  ['Operation', c.operation],
                  ['Tool', c.toolName ?? '—'],
                  ['Integration', c.integration],
                  ['User', c.userId],
                  ['Status', <StatusBadge value={c.status} />],
                  ['Received', <Time value={c.receivedAt} />],
                  ['Duration', formatDuration(c.durationMs)],
                  ['Trace', <TraceLink traceId={c.traceId} />],
                ]}
              />
            </Paper>
            <Section title="Incoming request">
              <Paper withBorder p="sm">
                <Text size="sm" mb="xs">
                  <strong>{c.request.name ?? c.operation}</strong> {c.request.status && <StatusBadge value={c.request.status.code} />}{' '}
                  {c.request.status?.message && <span>— {c.request.status.message}</span>}
                </Text>
                <AttributeTable attributes={c.request.attributes} label="Attributes of the incoming request" />
              </Paper>
            </Section>
            <Section title={`Provider API requests (${c.apiRequests.length})`}>
              <Table fz="sm" aria-label="Provider API requests" data-testid="api-requests">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Request</Table.Th>
                    <Table.Th>HTTP status</Table.Th>
                    <Table.Th>Time</Table.Th>
                    <Table.Th ta="right">Duration</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {c.apiRequests.map((r, i) => (
                    <Table.Tr key={i} data-testid="api-request" data-failed={r.error !== null || (r.statusCode ?? 0) >= 400}>
                      <Table.Td style={{ wordBreak: 'break-all' }}>
                        <Stack gap={4}>
                          <Text size="sm">
                            <Badge variant="outline" color="gray" className="ft-badge-neutral" mr={6}>
                              {r.method}
                            </Badge>
                            {r.url}
                          </Text>
                          {r.error && (
                            <Text size="xs" c="red.9">
                              Error: {r.error}
                            </Text>
                          )}
                          {r.responseBody !== undefined ? (
                            <div data-testid="response-body">
                              <Text size="xs" fw={600}>
                                Response body
                              </Text>
                              <JsonBlock value={r.responseBody} label={`Response body of ${r.method} ${r.url}`} maxHeight={220} />
                            </div>
                          ) : (
                            <Text size="xs" c="dark.4">
                              Body not shown: response bodies are kept on error-level logs only.
                            </Text>
                          )}
                        </Stack>
                      </Table.Td>
                      <Table.Td>{r.statusCode ?? '—'}</Table.Td>
                      <Table.Td>
                        <Time value={r.timestamp} />
                      </Table.Td>
                      <Table.Td ta="right">{formatDuration(r.durationMs)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Section>
            <Section title={`Logs (${c.logs.length})`}>
              <LogList logs={c.logs} label="Logs of this tool call" />
            </Section>
          </>
        )}
      </QueryView>
    </>
  );
}
