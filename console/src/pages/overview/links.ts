/** Query parameters (a subset of api/client's QueryParams; this module imports nothing, so that the tests can read it). */
type QueryParams = Record<string, string | undefined>;

/**
 * Where each kind of execution is listed in the console, and how that list
 * spells a time range, an integration and "failed": every number of the
 * Overview links to the rows behind it.
 */
interface ListOf {
  view: string;
  from: string;
  to: string;
  /** The list's status filter for failures; undefined: the list cannot filter failures. */
  failed?: Record<string, string>;
  integration?: string;
}

export const LISTS: Readonly<Record<string, ListOf>> = {
  workflow_execution: { view: 'task-history', from: 'afterDate', to: 'beforeDate', failed: { status: 'FAILED' }, integration: 'integration' },
  tool_call: { view: 'monitoring/tools', from: 'from', to: 'to', failed: { status: 'FAILED' }, integration: 'integration' },
  trigger_event: { view: 'monitoring/triggers', from: 'from', to: 'to', failed: { status: 'Delivery Failures,Processing Failure' }, integration: 'integration' },
  sync_run: { view: 'managed-sync', from: 'from', to: 'to', failed: { syncStatus: 'ERRORED' }, integration: 'integration' },
  agent_run: { view: 'agents', from: 'from', to: 'to', failed: { status: 'FAILED,ERROR,TIMEOUT' } },
};

/** The console path and parameters of the list of `kind` in a range, optionally only failures, of an integration, with more filters. */
export function listLink(kind: string, range: { from: string; to?: string }, options: { failed?: boolean; integration?: string; extra?: QueryParams } = {}): { view: string; params: QueryParams } {
  const list = LISTS[kind] ?? LISTS.workflow_execution!;
  return {
    view: list.view,
    params: {
      [list.from]: range.from,
      ...(range.to ? { [list.to]: range.to } : {}),
      ...(options.failed ? list.failed : {}),
      ...(options.integration && list.integration ? { [list.integration]: options.integration } : {}),
      ...options.extra,
    },
  };
}
