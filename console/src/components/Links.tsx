import type { ReactNode } from 'react';
import { Anchor, Table } from '@mantine/core';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { withQuery, type QueryParams } from '../api/client';

/** The console's path of a view of the project in the URL: `/p/<project>/<view>?…`. */
export function useConsolePath(): (view: string, params?: QueryParams) => string {
  const { projectId } = useParams();
  return (view, params) => withQuery(`/p/${encodeURIComponent(projectId ?? '')}/${view}`, params);
}

export function ConsoleLink({ to, children, ...rest }: { to: string; children: ReactNode; 'aria-label'?: string; title?: string }) {
  return (
    <Anchor component={Link} to={to} size="sm" {...rest}>
      {children}
    </Anchor>
  );
}

/** A row that opens `to` when clicked anywhere; its first cell's link makes it reachable by keyboard. */
export function RowLink({ to, children, selected }: { to: string; children: ReactNode; selected?: boolean }) {
  const navigate = useNavigate();
  return (
    <Table.Tr
      style={{ cursor: 'pointer' }}
      bg={selected ? 'var(--mantine-color-blue-0)' : undefined}
      aria-current={selected ? true : undefined}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('a,button,input')) return;
        navigate(to);
      }}
    >
      {children}
    </Table.Tr>
  );
}

/** A trace id, shortened, linking to its trace view. */
export function TraceLink({ traceId }: { traceId: string | null | undefined }) {
  const path = useConsolePath();
  if (!traceId) return <span>—</span>;
  return (
    <ConsoleLink to={path(`traces/${traceId}`)} title={`Trace ${traceId}`}>
      <code>{traceId.slice(0, 12)}…</code>
    </ConsoleLink>
  );
}
