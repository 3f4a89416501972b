import { TABLES, type Store } from '@flowtrace/store';

/**
 * Reads a project's redaction patterns (set with PUT
 * /admin/projects/:projectId/redaction): the latest row of
 * flowtrace_redaction_rules, or none. Called through ProjectRedaction's cache,
 * never per request.
 */
export function storedRedactionPatterns(store: Store): (projectId: string) => Promise<string[]> {
  return async (projectId) => {
    const rows = await store.select<{ patterns: string[] }>(
      'collector.redaction.patterns',
      `SELECT argMax(Patterns, UpdatedAt) AS patterns FROM ${TABLES.redactionRules} WHERE ProjectId = {projectId:String} GROUP BY ProjectId`,
      { projectId },
    );
    return rows[0]?.patterns ?? [];
  };
}
