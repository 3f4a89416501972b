import { useState } from 'react';
import { Button, Group, Table, TagsInput, Text, TextInput } from '@mantine/core';
import { useNavigate } from 'react-router-dom';
import { useApi, useProjectBase } from '../../api/hooks';
import type { TraceSummary } from '../../api/types';
import { DateRangeFilter, FilterBar, MultiFilter, TextFilter } from '../../components/Filters';
import { ConsoleLink, RowLink, useConsolePath } from '../../components/Links';
import { PageHeader } from '../../components/PageHeader';
import { CursorPager } from '../../components/Pager';
import { QueryView } from '../../components/States';
import { Time } from '../../components/Time';
import { pick, useUrlState } from '../../hooks/useUrlState';
import { formatDuration, formatNumber } from '../../lib/time';

const FILTERS = ['service', 'spanName', 'status', 'minDuration', 'maxDuration', 'attribute', 'from', 'to', 'cursor'] as const;
const TRACE_ID = /^[0-9a-fA-F]{32}$/;
const PAGE = 50;

/** Trace search: traces with a span matching every condition, newest first; or one trace by id. */
export function TracesPage() {
  const { params } = useUrlState();
  const base = useProjectBase();
  const path = useConsolePath();
  const query = useApi<{ traces: TraceSummary[]; nextCursor?: string }>(`${base}/traces`, { ...pick(params, FILTERS, ['attribute']), limit: PAGE });
  return (
    <>
      <PageHeader title="Traces" description="Find traces by a span’s service, name, status, duration and attributes. Open one to see its spans on a time axis.">
        <OpenById />
      </PageHeader>
      <FilterBar label="Search traces">
        <TextFilter name="service" label="Service" />
        <TextFilter name="spanName" label="Span name" width={220} />
        <MultiFilter name="status" label="Span status" values={['error', 'ok', 'unset']} width={180} />
        <TextFilter name="minDuration" label="Min duration" placeholder="e.g. 250ms" width={120} />
        <TextFilter name="maxDuration" label="Max duration" placeholder="e.g. 2s" width={120} />
        <AttributeFilter />
        <DateRangeFilter label="Started" />
      </FilterBar>
      <QueryView query={query} isEmpty={(d) => d.traces.length === 0} empty="No trace has a span matching all these conditions.">
        {(data) => (
          <>
            <Table.ScrollContainer minWidth={760}>
              <Table highlightOnHover fz="sm" aria-label="Traces" data-testid="traces">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Started</Table.Th>
                    <Table.Th>Trace</Table.Th>
                    <Table.Th>Root span</Table.Th>
                    <Table.Th ta="right">Duration</Table.Th>
                    <Table.Th ta="right">Spans</Table.Th>
                    <Table.Th ta="right">Errors</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.traces.map((t) => {
                    const to = path(`traces/${t.traceId}`);
                    return (
                      <RowLink key={t.traceId} to={to}>
                        <Table.Td>
                          <Time value={t.startTime} />
                        </Table.Td>
                        <Table.Td>
                          <ConsoleLink to={to} title={`Trace ${t.traceId}`}>
                            <code>{t.traceId.slice(0, 16)}…</code>
                          </ConsoleLink>
                        </Table.Td>
                        <Table.Td>
                          {t.rootSpanName ?? <em>root not received</em>} {t.rootServiceName && <Text span size="xs" c="dark.4">{t.rootServiceName}</Text>}
                        </Table.Td>
                        <Table.Td ta="right">{formatDuration(t.durationMs)}</Table.Td>
                        <Table.Td ta="right">{formatNumber(t.spanCount)}</Table.Td>
                        <Table.Td ta="right">{t.errorCount > 0 ? <Text span c="red.9" fw={600} size="sm">{t.errorCount}</Text> : 0}</Table.Td>
                      </RowLink>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <CursorPager nextCursor={data.nextCursor} shown={data.traces.length} noun={['trace', 'traces']} />
          </>
        )}
      </QueryView>
    </>
  );
}

/** Attribute conditions, key=value each, all on the same span. */
function AttributeFilter() {
  const { params, set } = useUrlState();
  return (
    <TagsInput
      label="Attributes (key=value)"
      placeholder="e.g. http.response.status_code=500"
      value={params.getAll('attribute')}
      onChange={(values) => set({ attribute: values.filter((v) => v.includes('=')) })}
      size="xs"
      w={300}
      clearable
      name="attribute"
    />
  );
}

function OpenById() {
  const path = useConsolePath();
  const navigate = useNavigate();
  const [id, setId] = useState('');
  const [error, setError] = useState<string>();
  return (
    <form
      aria-label="Open a trace by id"
      onSubmit={(e) => {
        e.preventDefault();
        const t = id.trim();
        if (!TRACE_ID.test(t)) return setError('a trace id is 32 hex characters');
        navigate(path(`traces/${t.toLowerCase()}`));
      }}
    >
      <Group align="flex-end" gap="xs">
        <TextInput label="Open trace ID" value={id} onChange={(e) => setId(e.currentTarget.value)} error={error} w={300} size="xs" spellCheck={false} />
        <Button type="submit" size="xs" variant="default">
          Open
        </Button>
      </Group>
    </form>
  );
}
