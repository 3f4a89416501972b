import { Suspense } from 'react';
import { Alert, AppShell, Burger, Button, Code, Group, NavLink, ScrollArea, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, Navigate, Outlet, useLocation, useNavigate, useParams } from 'react-router-dom';
import { useSession } from '../auth/SessionContext';
import { Loading } from '../components/States';

const SECTIONS: ReadonlyArray<{ label: string; items: ReadonlyArray<{ view: string; label: string }> }> = [
  { label: '', items: [{ view: 'overview', label: 'Overview' }] },
  {
    label: 'Task History',
    items: [
      { view: 'task-history', label: 'Workflow executions' },
      { view: 'event-logs', label: 'Event Logs' },
    ],
  },
  {
    label: 'Monitoring',
    items: [
      { view: 'monitoring/tools', label: 'Tools' },
      { view: 'monitoring/triggers', label: 'Triggers' },
      { view: 'managed-sync', label: 'Managed Sync' },
    ],
  },
  {
    label: 'Agents and traces',
    items: [
      { view: 'agents', label: 'Agent runs' },
      { view: 'agents/jobs', label: 'Recipe jobs' },
      { view: 'traces', label: 'Traces' },
    ],
  },
];

const VIEWS = SECTIONS.flatMap((s) => s.items.map((i) => i.view)).sort((a, b) => b.length - a.length);
/** The navigation entry of a path: the longest view it is under. */
const activeView = (here: string) => VIEWS.find((view) => here === view || here.startsWith(`${view}/`));

/** The frame of every project view: header, navigation, and the signed-in project. */
export function Shell() {
  const { projectId = '' } = useParams();
  const { session, signOut } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const [opened, { toggle, close }] = useDisclosure();
  if (!session) return <Navigate to="/signin" state={{ next: `${location.pathname}${location.search}` }} replace />;
  const base = `/p/${encodeURIComponent(projectId)}`;
  const here = location.pathname.slice(base.length + 1);

  return (
    <AppShell header={{ height: 52 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a href="#main" className="ft-skip">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Navigation" />
            <Link to={`${base}/overview`} className="ft-brand">
              Flowtrace
            </Link>
            <Text size="sm" visibleFrom="sm">
              {session.projectName ?? 'Project'} <Code>{session.projectId}</Code>
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            {session.admin && (
              <Button size="xs" variant="default" component={Link} to="/signin">
                Switch project
              </Button>
            )}
            <Button
              size="xs"
              variant="default"
              onClick={() => {
                void signOut().then(() => navigate('/signin'));
              }}
            >
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Views">
        <ScrollArea>
          <Stack gap={4}>
            {SECTIONS.map((section) => (
              <div key={section.label || 'top'}>
                {section.label && (
                  <Text size="xs" fw={700} tt="uppercase" px="sm" pt="sm" pb={2} c="dark.4">
                    {section.label}
                  </Text>
                )}
                {section.items.map((item) => {
                  const active = activeView(here) === item.view;
                  return (
                    <NavLink
                      key={item.view}
                      component={Link}
                      to={`${base}/${item.view}`}
                      label={item.label}
                      active={active}
                      aria-current={active ? 'page' : undefined}
                      onClick={close}
                    />
                  );
                })}
              </div>
            ))}
          </Stack>
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        {session.projectId !== projectId ? (
          <Alert color="yellow" title="This link is for another project" role="alert">
            <Text size="sm">
              You are signed in to <Code>{session.projectId}</Code>; this page is in project <Code>{projectId}</Code>. Sign in with a key of that project to see it.
            </Text>
            <Group mt="sm">
              <Button size="xs" component={Link} to="/signin" state={{ next: `${location.pathname}${location.search}`, projectId }}>
                Sign in to {projectId.slice(0, 8)}…
              </Button>
              <Button size="xs" variant="default" component={Link} to={`/p/${encodeURIComponent(session.projectId)}/overview`}>
                Back to my project
              </Button>
            </Group>
          </Alert>
        ) : (
          <Suspense fallback={<Loading />}>
            <Outlet />
          </Suspense>
        )}
      </AppShell.Main>
    </AppShell>
  );
}
