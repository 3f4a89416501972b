import { Navigate, createBrowserRouter } from 'react-router-dom';
import { useSession } from '../auth/SessionContext';
import { SignInPage } from '../auth/SignIn';
import { NotFound, RouteError } from './NotFound';
import { Shell } from './Shell';
import { OverviewPage } from '../pages/Overview';
import { TaskHistoryPage } from '../pages/taskHistory/TaskHistory';
import { ExecutionPage } from '../pages/taskHistory/Execution';
import { EventLogsPage } from '../pages/EventLogs';
import { ToolsPage } from '../pages/monitoring/Tools';
import { ToolLogTracePage } from '../pages/monitoring/ToolLogTrace';
import { TriggersPage } from '../pages/monitoring/Triggers';
import { SyncsPage } from '../pages/sync/Syncs';
import { SyncRunsPage } from '../pages/sync/SyncRuns';
import { AgentRunsPage } from '../pages/agents/AgentRuns';
import { AgentRunPage } from '../pages/agents/AgentRun';
import { JobsPage } from '../pages/agents/Jobs';
import { JobPage } from '../pages/agents/Job';
import { ConversationPage } from '../pages/agents/Conversation';
import { TracesPage } from '../pages/traces/Traces';
import { TraceViewPage } from '../pages/traces/TraceView';

function Home() {
  const { session } = useSession();
  return <Navigate to={session ? `/p/${encodeURIComponent(session.projectId)}/overview` : '/signin'} replace />;
}

/**
 * Every screen is in the first bundle (each is a few kB: opening one is one
 * round trip for the page, one for its data); only the Overview's duration
 * chart (recharts) loads on its own (see pages/Overview.tsx).
 */
export const router = createBrowserRouter([
  { path: '/', element: <Home /> },
  { path: '/signin', element: <SignInPage /> },
  {
    path: '/p/:projectId',
    element: <Shell />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <Navigate to="overview" replace /> },
      { path: 'overview', element: <OverviewPage /> },
      { path: 'task-history', element: <TaskHistoryPage /> },
      { path: 'task-history/:executionId', element: <ExecutionPage /> },
      { path: 'event-logs', element: <EventLogsPage /> },
      { path: 'monitoring', element: <Navigate to="tools" replace /> },
      { path: 'monitoring/tools', element: <ToolsPage /> },
      { path: 'monitoring/tools/:requestId', element: <ToolLogTracePage /> },
      { path: 'monitoring/triggers', element: <TriggersPage /> },
      { path: 'managed-sync', element: <SyncsPage /> },
      { path: 'managed-sync/:syncId', element: <SyncRunsPage /> },
      { path: 'agents', element: <AgentRunsPage /> },
      { path: 'agents/runs/:runId', element: <AgentRunPage /> },
      { path: 'agents/jobs', element: <JobsPage /> },
      { path: 'agents/jobs/:jobId', element: <JobPage /> },
      { path: 'agents/conversations/:conversationId', element: <ConversationPage /> },
      { path: 'traces', element: <TracesPage /> },
      { path: 'traces/:traceId', element: <TraceViewPage /> },
      { path: '*', element: <NotFound /> },
    ],
  },
  { path: '*', element: <NotFound standalone /> },
]);
