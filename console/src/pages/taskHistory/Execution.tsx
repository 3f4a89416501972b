import { Anchor, Badge, Group, Paper, Table, Text } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { useApi, useProjectBase } from '../../api/hooks';
import type { ExecutionDetail, StepDetail } from '../../api/types';
import { Fields } from '../../components/Fields';
import { JsonBlock } from '../../components/JsonBlock';
import { ConsoleLink, RowLink, TraceLink, useConsolePath } from '../../components/Links';
import { PageHeader, Section } from '../../components/PageHeader';
import { QueryView } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { useUrlState } from '../../hooks/useUrlState';
import { formatDuration } from '../../lib/time';

/** One workflow execution: its summary and steps; `?step=` shows a step's input, output, outbound requests and logs. */
export function ExecutionPage() {
  const { executionId = '' } = useParams();
  const base = useProjectBase();
  const path = useConsolePath();
  const { get } = useUrlState();
  const stepId = get('step');
  const query = useApi<ExecutionDetail>(`${base}/task-history/workflow-executions/${encodeURIComponent(executionId)}`, {}, { keepPrevious: false });

  return (
    <>
      <PageHeader title="Workflow execution" description={<code>{executionId}</code>}>
        <Anchor component={Link} to={path('task-history')} size="sm">
          ← Task History
        </Anchor>
      </PageHeader>
      <QueryView query={query}>
        {(e) => (
          <>
            <Paper withBorder p="md" mb="lg">
              <Fields
                items={[
                  ['Workflow', e.workflowName ? `${e.workflowName} (${e.workflowId})` : e.workflowId],
                  ['Integration', e.integration],
                  ['User', e.userId],
                  ['Status', <StatusBadge value={e.status} />],
                  ['Started', <Time value={e.dateStarted} />],
                  ['Ended', <Time value={e.dateEnded} />],
                  ['Duration', formatDuration(e.runDuration)],
                  ['Tasks', e.taskCount],
                  ['Trace', <TraceLink traceId={e.traceId} />],
                  ['Logs', <ConsoleLink to={path('event-logs', { traceId: e.traceId })}>Event Logs of this execution</ConsoleLink>],
                ]}
              />
              {e.error && (
                <Text c="red.9" size="sm" mt="sm" role="note">
                  Error: {e.error}
                </Text>
              )}
            </Paper>
            <Section title={`Steps (${e.steps.length})`}>
              <Table highlightOnHover fz="sm" aria-label="Steps" data-testid="steps">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Step</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Started</Table.Th>
                    <Table.Th ta="right">Duration</Table.Th>
                    <Table.Th>Error</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {e.steps.map((s) => {
                    const to = path(`task-history/${executionId}`, { step: s.id });
                    return (
                      <RowLink key={s.id} to={to} selected={s.id === stepId}>
                        <Table.Td>
                          <ConsoleLink to={to}>{s.name}</ConsoleLink>
                        </Table.Td>
                        <Table.Td>
                          <StatusBadge value={s.status} />
                        </Table.Td>
                        <Table.Td>
                          <Time value={s.dateStarted} />
                        </Table.Td>
                        <Table.Td ta="right">{formatDuration(s.runDuration)}</Table.Td>
                        <Table.Td>{s.error ?? ''}</Table.Td>
                      </RowLink>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Section>
            {stepId && <StepPanel executionId={executionId} stepId={stepId} />}
          </>
        )}
      </QueryView>
    </>
  );
}

function StepPanel({ executionId, stepId }: { executionId: string; stepId: string }) {
  const base = useProjectBase();
  const query = useApi<StepDetail>(`${base}/task-history/workflow-executions/${encodeURIComponent(executionId)}/step-executions/${encodeURIComponent(stepId)}`, {}, { keepPrevious: false });
  return (
    <Paper withBorder p="md" component="section" aria-label="Step details" data-testid="step-detail">
      <QueryView query={query}>
        {(s) => (
          <>
            <Group justify="space-between" mb="sm">
              <Text fw={700} component="h2" size="lg" m={0}>
                Step: {s.name}
              </Text>
              <StatusBadge value={s.status} />
            </Group>
            <Fields
              items={[
                ['Step ID', <code>{s.stepId}</code>],
                ['Started', <Time value={s.dateStarted} />],
                ['Duration', formatDuration(s.runDuration)],
                ['Error', s.error],
              ]}
            />
            <Group grow align="flex-start" mt="md">
              <div>
                <Text fw={600} size="sm" mb={4}>
                  Input
                </Text>
                {s.input === null ? <Text size="sm">Not captured.</Text> : <JsonBlock value={s.input} label="Step input" maxHeight={260} />}
              </div>
              <div>
                <Text fw={600} size="sm" mb={4}>
                  Output
                </Text>
                {s.output === null ? <Text size="sm">Not captured.</Text> : <JsonBlock value={s.output} label="Step output" maxHeight={260} />}
              </div>
            </Group>
            <Text fw={600} size="sm" mt="md" mb={4}>
              Outbound requests ({s.requests.length})
            </Text>
            <Table fz="sm" aria-label="Outbound requests">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Request</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Started</Table.Th>
                  <Table.Th ta="right">Duration</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {s.requests.map((r, i) => (
                  <Table.Tr key={i}>
                    <Table.Td style={{ wordBreak: 'break-all' }}>
                      <Badge variant="outline" color="gray" className="ft-badge-neutral" mr={6}>
                        {r.method}
                      </Badge>
                      {r.url}
                      {r.error && (
                        <Text size="xs" c="red.9">
                          {r.error}
                        </Text>
                      )}
                      {r.responseBody !== undefined && <JsonBlock value={r.responseBody} label={`Response body of ${r.method} ${r.url}`} maxHeight={200} />}
                    </Table.Td>
                    <Table.Td>{r.statusCode ?? '—'}</Table.Td>
                    <Table.Td>
                      <Time value={r.dateStarted} />
                    </Table.Td>
                    <Table.Td ta="right">{formatDuration(r.runDuration)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            <Text fw={600} size="sm" mt="md" mb={4}>
              Logs ({s.logs.length})
            </Text>
            {s.logs.map((l, i) => (
              <Group key={i} gap="sm" wrap="nowrap" align="flex-start" py={2} fz="sm">
                <Time value={l.timestamp} />
                <StatusBadge value={l.level} />
                <Text size="sm">{l.message}</Text>
              </Group>
            ))}
          </>
        )}
      </QueryView>
    </Paper>
  );
}
