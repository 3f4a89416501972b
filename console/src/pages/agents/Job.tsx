import { Anchor, Paper, Table, Text } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { useApi, useProjectBase } from '../../api/hooks';
import type { JobDetail } from '../../api/types';
import { Fields } from '../../components/Fields';
import { ConsoleLink, TraceLink, useConsolePath } from '../../components/Links';
import { PageHeader, Section } from '../../components/PageHeader';
import { QueryView } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { formatDuration } from '../../lib/time';
import { JobRows } from './Jobs';

/** One recipe job: its lines, the jobs it called and the jobs repeated under it. */
export function JobPage() {
  const { jobId = '' } = useParams();
  const base = useProjectBase();
  const path = useConsolePath();
  const query = useApi<JobDetail>(`${base}/workato/jobs/${encodeURIComponent(jobId)}`, {}, { keepPrevious: false });
  return (
    <>
      <PageHeader title="Recipe job" description={<code>{jobId}</code>}>
        <Anchor component={Link} to={path('agents/jobs')} size="sm">
          ← Recipe jobs
        </Anchor>
      </PageHeader>
      <QueryView query={query}>
        {(j) => (
          <>
            <Paper withBorder p="md" mb="lg">
              <Fields
                items={[
                  ['Recipe', j.recipeName ? `${j.recipeName} (${j.recipeId})` : j.recipeId],
                  ['Status', <StatusBadge value={j.status} />],
                  ['Started', <Time value={j.startedAt} />],
                  ['Duration', formatDuration(j.durationMs)],
                  ['User', j.userId],
                  ['Environment', j.environment],
                  ['Trace', <TraceLink traceId={j.traceId} />],
                  ['Logs', <ConsoleLink to={path('event-logs', { jobId: j.jobId })}>Event Logs of this job</ConsoleLink>],
                  ['Calling job', j.callingJobId && <ConsoleLink to={path(`agents/jobs/${encodeURIComponent(j.callingJobId)}`)}>{j.callingJobId}</ConsoleLink>],
                  ['Master job', j.masterJobId && <ConsoleLink to={path(`agents/jobs/${encodeURIComponent(j.masterJobId)}`)}>{j.masterJobId}</ConsoleLink>],
                ]}
              />
              {j.error && (
                <Text c="red.9" size="sm" mt="sm">
                  {[j.error.type, j.error.message].filter(Boolean).join(': ')}
                </Text>
              )}
            </Paper>
            <Section title={`Lines (${j.lines.length}${j.linesOmitted ? ', some omitted' : ''})`}>
              <Table fz="sm" aria-label="Recipe lines">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Line</Table.Th>
                    <Table.Th>Adapter</Table.Th>
                    <Table.Th>Operation</Table.Th>
                    <Table.Th>Started</Table.Th>
                    <Table.Th ta="right">Duration</Table.Th>
                    <Table.Th>Error</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {j.lines.map((l) => (
                    <Table.Tr key={l.lineNumber}>
                      <Table.Td>{l.lineNumber}</Table.Td>
                      <Table.Td>{l.adapter ?? '—'}</Table.Td>
                      <Table.Td>{l.operation ?? '—'}</Table.Td>
                      <Table.Td>
                        <Time value={l.startedAt} />
                      </Table.Td>
                      <Table.Td ta="right">{formatDuration(l.durationMs)}</Table.Td>
                      <Table.Td>{l.error ? <Text span c="red.9" size="sm">{l.error}</Text> : ''}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Section>
            <Section title={`Jobs it called (${j.calledJobs.length})`}>
              <JobRows jobs={j.calledJobs} label="Jobs it called" path={path} />
            </Section>
            <Section title={`Repeats (${j.childJobs.length})`}>
              <JobRows jobs={j.childJobs} label="Jobs under it as master" path={path} />
            </Section>
          </>
        )}
      </QueryView>
    </>
  );
}
