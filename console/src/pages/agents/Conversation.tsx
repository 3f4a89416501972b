import { Anchor } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { useApi, useProjectBase } from '../../api/hooks';
import type { AgentRun, Page } from '../../api/types';
import { useConsolePath } from '../../components/Links';
import { PageHeader } from '../../components/PageHeader';
import { pick, useUrlState } from '../../hooks/useUrlState';
import { AgentRunTable } from './AgentRuns';

/** A conversation: its agent runs in order. */
export function ConversationPage() {
  const { conversationId = '' } = useParams();
  const { params } = useUrlState();
  const base = useProjectBase();
  const path = useConsolePath();
  const query = useApi<Page & { agentRuns: AgentRun[] }>(`${base}/conversations/${encodeURIComponent(conversationId)}`, { ...pick(params, ['offset']), limit: 100 });
  return (
    <>
      <PageHeader title="Conversation" description={<code>{conversationId}</code>}>
        <Anchor component={Link} to={path('agents')} size="sm">
          ← Agents
        </Anchor>
      </PageHeader>
      <AgentRunTable query={query} path={path} />
    </>
  );
}
