import { Anchor, Group, Paper, Table, Text } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { useApi, useProjectBase } from '../../api/hooks';
import type { AgentRunDetail, Guardrail } from '../../api/types';
import { Fields } from '../../components/Fields';
import { JsonBlock } from '../../components/JsonBlock';
import { ConsoleLink, TraceLink, useConsolePath } from '../../components/Links';
import { PageHeader, Section } from '../../components/PageHeader';
import { QueryView } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { formatDuration, formatNumber } from '../../lib/time';

/** One agent run: LLM calls (model, stage, tokens, latency), tool executions with results and recipe jobs, guardrails, messages. */
export function AgentRunPage() {
  const { runId = '' } = useParams();
  const base = useProjectBase();
  const path = useConsolePath();
  const query = useApi<AgentRunDetail>(`${base}/agent-runs/${encodeURIComponent(runId)}`, {}, { keepPrevious: false });
  return (
    <>
      <PageHeader title="Agent run" description={<code>{runId}</code>}>
        <Anchor component={Link} to={path('agents')} size="sm">
          ← Agents
        </Anchor>
      </PageHeader>
      <QueryView query={query}>
        {(r) => (
          <>
            <Paper withBorder p="md" mb="lg">
              <Fields
                items={[
                  ['Agent', r.agentName ? `${r.agentName} (${r.agentId})` : r.agentId],
                  ['Conversation', <ConsoleLink to={path(`agents/conversations/${encodeURIComponent(r.conversationId)}`)}>{r.conversationId}</ConsoleLink>],
                  ['User', r.userId],
                  ['Status', <StatusBadge value={r.status} />],
                  ['Started', <Time value={r.startedAt} />],
                  ['Duration', formatDuration(r.durationMs)],
                  ['Tokens (in / out)', `${formatNumber(r.tokens.input)} / ${formatNumber(r.tokens.output)}`],
                  ['Topic', r.topic],
                  ['Trace', <TraceLink traceId={r.traceId} />],
                ]}
              />
            </Paper>
            <Section title={`LLM calls (${r.llmCalls.length})`}>
              <Table fz="sm" aria-label="LLM calls" data-testid="llm-calls">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Started</Table.Th>
                    <Table.Th>Model</Table.Th>
                    <Table.Th>Stage</Table.Th>
                    <Table.Th ta="right">Input tokens</Table.Th>
                    <Table.Th ta="right">Output tokens</Table.Th>
                    <Table.Th ta="right">Latency</Table.Th>
                    <Table.Th>Result</Table.Th>
                    <Table.Th>Guardrails</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {r.llmCalls.map((c, i) => (
                    <Table.Tr key={c.callId ?? i}>
                      <Table.Td>
                        <Time value={c.startedAt} />
                      </Table.Td>
                      <Table.Td>{c.model ?? '—'}</Table.Td>
                      <Table.Td>{c.stage ?? '—'}</Table.Td>
                      <Table.Td ta="right">{c.inputTokens ?? '—'}</Table.Td>
                      <Table.Td ta="right">{c.outputTokens ?? '—'}</Table.Td>
                      <Table.Td ta="right">{formatDuration(c.latencyMs)}</Table.Td>
                      <Table.Td>
                        <StatusBadge value={c.result} />
                      </Table.Td>
                      <Table.Td>{c.guardrails.map((g) => `${g.policy}: ${g.action}`).join(', ') || '—'}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Section>
            <Section title={`Tool executions (${r.toolExecutions.length})`}>
              <Table fz="sm" aria-label="Tool executions" data-testid="tool-executions">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Started</Table.Th>
                    <Table.Th>Tool</Table.Th>
                    <Table.Th>Type</Table.Th>
                    <Table.Th>Result</Table.Th>
                    <Table.Th ta="right">Duration</Table.Th>
                    <Table.Th>Recipe job</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {r.toolExecutions.map((t, i) => (
                    <Table.Tr key={t.callId ?? i}>
                      <Table.Td>
                        <Time value={t.startedAt} />
                      </Table.Td>
                      <Table.Td>
                        {t.name}
                        {t.output !== undefined && <JsonBlock value={t.output} label={`Output of ${t.name}`} maxHeight={160} />}
                      </Table.Td>
                      <Table.Td>{t.type ?? '—'}</Table.Td>
                      <Table.Td>
                        <StatusBadge value={t.result} />
                      </Table.Td>
                      <Table.Td ta="right">{formatDuration(t.durationMs)}</Table.Td>
                      <Table.Td>
                        {t.job ? (
                          <>
                            <ConsoleLink to={path(`agents/jobs/${encodeURIComponent(t.job.jobId)}`)} aria-label={`Recipe job ${t.job.jobId}`}>
                              {t.job.jobId}
                            </ConsoleLink>{' '}
                            (<ConsoleLink to={path(`traces/${t.job.traceId}`)} aria-label={`Trace of recipe job ${t.job.jobId}`}>trace</ConsoleLink>)
                          </>
                        ) : (
                          '—'
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Section>
            <Section title={`Guardrails (${r.guardrails.length})`}>
              <GuardrailTable guardrails={r.guardrails} />
            </Section>
            <Section title={`Messages (${r.messages.length})`}>
              {r.messages.length === 0 ? (
                <Text size="sm">No message.</Text>
              ) : (
                r.messages.map((m, i) => (
                  <Group key={i} gap="sm" wrap="nowrap" align="flex-start" py={2} fz="sm">
                    <Time value={m.timestamp} />
                    <Text size="sm" fw={600} w={60}>
                      {m.role}
                    </Text>
                    <Text size="sm">{m.text ?? (m.toolName ? `(tool: ${m.toolName})` : '—')}</Text>
                  </Group>
                ))
              )}
            </Section>
            {r.structuredOutput && (
              <Section title="Structured output">
                <Text size="sm">
                  {formatDuration(r.structuredOutput.durationMs)} from <Time value={r.structuredOutput.startedAt} />
                  {r.structuredOutput.schema && ` — schema ${r.structuredOutput.schema}`}
                </Text>
              </Section>
            )}
          </>
        )}
      </QueryView>
    </>
  );
}

function GuardrailTable({ guardrails }: { guardrails: Guardrail[] }) {
  if (guardrails.length === 0) return <Text size="sm">No guardrail.</Text>;
  return (
    <Table fz="sm" aria-label="Guardrails">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>At</Table.Th>
          <Table.Th>Policy</Table.Th>
          <Table.Th>Action</Table.Th>
          <Table.Th>Direction</Table.Th>
          <Table.Th>Severity</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {guardrails.map((g, i) => (
          <Table.Tr key={i}>
            <Table.Td>
              <Time value={g.at} />
            </Table.Td>
            <Table.Td>{g.policy}</Table.Td>
            <Table.Td>
              <StatusBadge value={g.action} />
            </Table.Td>
            <Table.Td>{g.direction ?? '—'}</Table.Td>
            <Table.Td>{g.severity ?? '—'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
