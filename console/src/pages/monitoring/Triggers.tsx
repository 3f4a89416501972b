import { Drawer, Stack, Table, Text, UnstyledButton } from '@mantine/core';
import { useApi, useProjectBase } from '../../api/hooks';
import type { Page, TriggerEvent, TriggerEventDetail } from '../../api/types';
import { TRIGGER_EVENT_STATUSES } from '../../api/vocabulary';
import { Fields } from '../../components/Fields';
import { DateRangeFilter, FilterBar, MultiFilter, TextFilter } from '../../components/Filters';
import { TraceLink } from '../../components/Links';
import { PageHeader, Section } from '../../components/PageHeader';
import { OffsetPager } from '../../components/Pager';
import { QueryView } from '../../components/States';
import { StatusBadge } from '../../components/StatusBadge';
import { Time } from '../../components/Time';
import { pick, useUrlState } from '../../hooks/useUrlState';
import { formatDuration } from '../../lib/time';
import { LogList } from './LogList';
import { MonitoringTabs } from './MonitoringTabs';

const FILTERS = ['userId', 'integration', 'status', 'from', 'to', 'offset'] as const;
const PAGE = 100;

/** Monitoring → Triggers: every trigger event; a row opens its detail panel (deliveries, event logs). */
export function TriggersPage() {
  const { params, get, set } = useUrlState();
  const base = useProjectBase();
  const query = useApi<Page & { triggerEvents: TriggerEvent[] }>(`${base}/actionkit/trigger-events`, { ...pick(params, FILTERS), limit: PAGE });
  const selected = get('event');
  const openEvent = (eventId: string | undefined) => set({ event: eventId }, { keepPage: true });

  return (
    <>
      <PageHeader title="Monitoring" description="ActionKit trigger events: what was detected, and how it was delivered to your users' webhooks." />
      <MonitoringTabs current="triggers" />
      <FilterBar label="Filter trigger events">
        <TextFilter name="userId" label="User ID" />
        <TextFilter name="integration" label="Integration" />
        <MultiFilter name="status" label="Status" values={TRIGGER_EVENT_STATUSES} width={240} />
        <DateRangeFilter label="Received" />
      </FilterBar>
      <QueryView query={query} isEmpty={(d) => d.triggerEvents.length === 0} empty="No trigger event matches these filters.">
        {(data) => (
          <>
            <Table.ScrollContainer minWidth={760}>
              <Table highlightOnHover fz="sm" aria-label="Trigger events" data-testid="trigger-events">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Time received</Table.Th>
                    <Table.Th>Event ID</Table.Th>
                    <Table.Th>Integration</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Subscription</Table.Th>
                    <Table.Th ta="right">Deliveries</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.triggerEvents.map((e) => (
                    <Table.Tr
                      key={e.eventId}
                      style={{ cursor: 'pointer' }}
                      bg={e.eventId === selected ? 'var(--mantine-color-blue-0)' : undefined}
                      onClick={(ev) => !(ev.target as HTMLElement).closest('a,button') && openEvent(e.eventId)}
                    >
                      <Table.Td>
                        <Time value={e.timeReceived} />
                      </Table.Td>
                      <Table.Td>
                        <UnstyledButton onClick={() => openEvent(e.eventId)} aria-haspopup="dialog" fz="sm" c="blue.8" td="underline">
                          <code>{e.eventId.slice(0, 8)}</code>
                        </UnstyledButton>
                      </Table.Td>
                      <Table.Td>{e.integration}</Table.Td>
                      <Table.Td>
                        <StatusBadge value={e.status} />
                      </Table.Td>
                      <Table.Td>{e.subscriptionModel ?? '—'}</Table.Td>
                      <Table.Td ta="right">
                        {e.deliveries}
                        {e.failedDeliveries > 0 && <Text span c="red.9" size="sm">{` (${e.failedDeliveries} failed)`}</Text>}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <OffsetPager total={data.total} shown={data.triggerEvents.length} nextLink={data.nextLink} pageSize={PAGE} />
          </>
        )}
      </QueryView>
      <Drawer opened={selected !== undefined} onClose={() => openEvent(undefined)} position="right" size="xl" title="Trigger event" closeButtonProps={{ 'aria-label': 'Close the trigger event' }}>
        {selected && <TriggerDetail eventId={selected} />}
      </Drawer>
    </>
  );
}

function TriggerDetail({ eventId }: { eventId: string }) {
  const base = useProjectBase();
  const query = useApi<TriggerEventDetail>(`${base}/actionkit/trigger-events/${encodeURIComponent(eventId)}`, {}, { keepPrevious: false });
  return (
    <QueryView query={query}>
      {(e) => {
        const single = e.deliveries.length === 1 ? e.deliveries[0] : undefined;
        return (
          <Stack gap="lg" data-testid="trigger-detail">
            <Fields
              cols={2}
              items={[
                ['Event ID', <code>{e.eventId}</code>],
                ['Integration', e.integration],
                ['Time received', <Time value={e.timeReceived} />],
                ['Status', <StatusBadge value={e.status} />],
                ['Subscription', e.subscriptionModel ?? '—'],
                ['Trace', <TraceLink traceId={e.traceId} />],
              ]}
            />
            <Section title={`Deliveries (${e.deliveries.length})`}>
              {e.deliveries.length === 0 ? (
                <Text size="sm">No delivery.</Text>
              ) : (
                <Table fz="sm" aria-label="Deliveries">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>User</Table.Th>
                      <Table.Th>Timestamp</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {e.deliveries.map((d, i) => (
                      <Table.Tr key={i}>
                        <Table.Td>
                          <StatusBadge value={d.status} />
                        </Table.Td>
                        <Table.Td>{d.userId}</Table.Td>
                        <Table.Td>
                          <Time value={d.timestamp} />
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
              {single && (
                <div style={{ marginTop: 12 }}>
                  <Fields
                    cols={2}
                    items={[
                      ['Trigger ID', <code>{single.triggerId ?? '—'}</code>],
                      ['Webhook URL', single.webhookUrl ?? '—'],
                      ['Delivery time', formatDuration(single.durationMs)],
                      ['Attempts', single.attempts ?? '—'],
                    ]}
                  />
                </div>
              )}
            </Section>
            <Section title={`Event logs (${e.logs.length})`}>
              <LogList logs={e.logs} label="Event logs of this trigger event" />
            </Section>
          </Stack>
        );
      }}
    </QueryView>
  );
}
