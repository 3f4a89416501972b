import { useState, type FormEvent } from 'react';
import { Alert, Button, Container, Paper, PasswordInput, Select, Stack, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useLocation, useNavigate } from 'react-router-dom';
import { ApiError, request } from '../api/client';
import type { Project } from '../api/types';
import { useSession } from './SessionContext';
import { loadSession, type Session } from './session';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Sign in with a project API key (and its project id: the key is checked
 * against it), or with the admin token and a project from GET /admin/projects.
 * With the admin token the console creates a key of the chosen project for
 * this tab ("console session") and revokes it at sign-out.
 */
export function SignInPage() {
  useDocumentTitle('Sign in · Flowtrace');
  const location = useLocation();
  const state = (location.state ?? {}) as { next?: string; projectId?: string };
  const previous = loadSession();
  const [tab, setTab] = useState<string | null>(previous?.admin ? 'admin' : 'key');
  return (
    <Container size={460} py={60}>
      <main>
        <Title order={1} size="h2" mb={4}>
          Flowtrace
        </Title>
        <Text size="sm" mb="lg" c="dark.4">
          Sign in to a project to see its executions, logs and traces.
        </Text>
        <Paper withBorder p="lg">
          <Tabs value={tab} onChange={setTab}>
            <Tabs.List mb="md">
              <Tabs.Tab value="key">Project API key</Tabs.Tab>
              <Tabs.Tab value="admin">Admin token</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="key">
              <KeyForm next={state.next} projectId={state.projectId} />
            </Tabs.Panel>
            <Tabs.Panel value="admin">
              <AdminForm next={state.next} token={previous?.admin?.token} />
            </Tabs.Panel>
          </Tabs>
        </Paper>
        <Text size="xs" mt="md" c="dark.4">
          The credential is kept in this tab&apos;s session storage only, and sent in the Authorization header — never in an address.
        </Text>
      </main>
    </Container>
  );
}

function useFinish(next: string | undefined) {
  const { signIn, session } = useSession();
  const navigate = useNavigate();
  return async (fresh: Session) => {
    // Switching project with the admin token: the previous tab key goes.
    if (session?.admin && session.admin.keyId !== fresh.admin?.keyId) {
      await request(session.admin.token, 'DELETE', `/admin/projects/${session.projectId}/api-keys/${session.admin.keyId}`).catch(() => undefined);
    }
    signIn(fresh);
    const target = next && next.startsWith(`/p/${fresh.projectId}/`) ? next : `/p/${encodeURIComponent(fresh.projectId)}/overview`;
    navigate(target, { replace: true });
  };
}

function KeyForm({ next, projectId: initialProject }: { next?: string; projectId?: string }) {
  const finish = useFinish(next);
  const [projectId, setProjectId] = useState(initialProject ?? '');
  const [key, setKey] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    const id = projectId.trim();
    if (!UUID.test(id)) return setError('Project ID: must be the project’s id, a UUID (the admin API gave it when the project was created).');
    if (!key.trim()) return setError('API key: required (ftk_…).');
    setBusy(true);
    try {
      // Any read of the project checks that the key is one of its keys.
      await request(key.trim(), 'GET', `/projects/${id}/event-logs?limit=1`);
      await finish({ projectId: id, key: key.trim() });
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? 'This key is not a key of that project (or the project does not exist).' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Sign in with a project API key">
      <Stack gap="sm">
        <TextInput label="Project ID" value={projectId} onChange={(e) => setProjectId(e.currentTarget.value)} autoComplete="off" spellCheck={false} required />
        <PasswordInput label="API key" value={key} onChange={(e) => setKey(e.currentTarget.value)} autoComplete="off" required />
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Button type="submit" loading={busy}>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}

function AdminForm({ next, token: initialToken }: { next?: string; token?: string }) {
  const finish = useFinish(next);
  const [token, setToken] = useState(initialToken ?? '');
  const [projects, setProjects] = useState<Project[]>();
  const [projectId, setProjectId] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const listProjects = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    if (!token.trim()) return setError('Admin token: required (fta_…, printed at the first start).');
    setBusy(true);
    try {
      const answer = await request<{ projects: Project[] }>(token.trim(), 'GET', '/admin/projects');
      setProjects(answer.projects);
      if (answer.projects.length === 0) setError('There is no project yet: create one with POST /admin/projects.');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const open = async (e: FormEvent) => {
    e.preventDefault();
    const project = projects?.find((p) => p.id === projectId);
    if (!project) return setError('Project: choose one.');
    setBusy(true);
    setError(undefined);
    try {
      const created = await request<{ id: string; key: string }>(token.trim(), 'POST', `/admin/projects/${project.id}/api-keys`, {
        body: { name: `console session ${new Date().toISOString().slice(0, 16)}` },
      });
      await finish({ projectId: project.id, projectName: project.name, key: created.key, admin: { token: token.trim(), keyId: created.id } });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="sm">
      <form onSubmit={(e) => void listProjects(e)} aria-label="Sign in with the admin token">
        <Stack gap="sm">
          <PasswordInput label="Admin token" value={token} onChange={(e) => setToken(e.currentTarget.value)} autoComplete="off" required />
          <Button type="submit" variant={projects ? 'default' : 'filled'} loading={busy && !projects}>
            List projects
          </Button>
        </Stack>
      </form>
      {projects && projects.length > 0 && (
        <form onSubmit={(e) => void open(e)} aria-label="Choose a project">
          <Stack gap="sm">
            <Select
              label="Project"
              data={projects.map((p) => ({ value: p.id, label: `${p.name} (${p.id.slice(0, 8)})` }))}
              value={projectId}
              onChange={setProjectId}
              searchable
              required
            />
            <Text size="xs" c="dark.4">
              Opening a project creates an API key named “console session” for this tab; signing out revokes it.
            </Text>
            <Button type="submit" loading={busy}>
              Open project
            </Button>
          </Stack>
        </form>
      )}
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
    </Stack>
  );
}
