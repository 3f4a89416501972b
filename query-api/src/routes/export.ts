import type { Response } from 'express';
import { z } from 'zod';
import { exportEventLogs, exportExecutions, type ExportRange } from '../repositories/export.js';
import { EXECUTION_COLUMNS, LOG_COLUMNS, toExportedExecution, toExportedLog } from '../converters/export.js';
import { isoDate, projectIdParam } from '../schemas.js';
import { projectGet, type RouteContext } from './context.js';

/** The longest range one export covers. */
export const MAX_EXPORT_DAYS = 93;
const DAY_NS = 86_400_000_000_000n;

const exportQuery = z
  .strictObject({
    from: isoDate,
    to: isoDate,
    format: z.enum(['ndjson', 'csv']).default('ndjson'),
  })
  .superRefine((q, ctx) => {
    if (q.from >= q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to' });
    else if (q.to - q.from > BigInt(MAX_EXPORT_DAYS) * DAY_NS) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_EXPORT_DAYS} days after from` });
  });

export function exportRoutes(ctx: RouteContext): void {
  const params = z.strictObject({ projectId: projectIdParam });
  const spec = (what: string) => ({
    tag: 'Export',
    summary: `Streams the ${what} of a range (up to ${MAX_EXPORT_DAYS} days) as NDJSON or CSV, in constant memory`,
    description: 'Rows are read in keyset chunks and written as the client takes them. The `X-Flowtrace-Rows` trailer gives the number of rows written.',
    params,
    query: exportQuery,
    produces: ['application/x-ndjson', 'text/csv'],
  });

  projectGet(ctx, '/projects/:projectId/export/workflow-executions', spec('workflow executions'), async (_req, res) => {
    const q = res.locals.query as z.output<typeof exportQuery>;
    const range: ExportRange = { projectId: res.locals.params.projectId, from: q.from, to: q.to };
    await stream(ctx, res, 'workflow-executions', q.format, EXECUTION_COLUMNS, converted(exportExecutions(ctx.store, range), toExportedExecution));
  });

  projectGet(ctx, '/projects/:projectId/export/event-logs', spec('event logs'), async (_req, res) => {
    const q = res.locals.query as z.output<typeof exportQuery>;
    const range: ExportRange = { projectId: res.locals.params.projectId, from: q.from, to: q.to };
    await stream(ctx, res, 'event-logs', q.format, LOG_COLUMNS, converted(exportEventLogs(ctx.store, range), toExportedLog));
  });
}

/**
 * Writes chunks as they come, waiting for the socket to drain before reading
 * the next one, and stops reading when the client goes away. A failure after
 * the first byte cannot become an error answer: the response is cut, so a
 * client never mistakes a partial export for a whole one (no terminating chunk).
 */
async function stream<Row extends object>(
  ctx: RouteContext,
  res: Response,
  name: string,
  format: 'ndjson' | 'csv',
  columns: readonly (keyof Row & string)[],
  chunks: AsyncGenerator<Row[]>,
): Promise<void> {
  // Read the first chunk before answering, so that a store failure is still a proper error.
  let next = await chunks.next();
  res.status(200);
  res.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name}.${format === 'csv' ? 'csv' : 'ndjson'}"`);
  res.setHeader('Trailer', 'X-Flowtrace-Rows');
  if (format === 'csv') res.write(`${columns.join(',')}\r\n`);
  let rows = 0;
  try {
    while (!next.done) {
      if (res.destroyed) {
        await chunks.return(undefined);
        return;
      }
      const text = next.value.map((row) => (format === 'csv' ? csvLine(columns.map((c) => row[c])) : `${JSON.stringify(pick(row, columns))}\n`)).join('');
      rows += next.value.length;
      if (!res.write(text)) await drained(res);
      next = await chunks.next();
    }
  } catch (err) {
    ctx.log?.error('export failed midway; response cut', { export: name, rows, error: (err as Error).message });
    res.destroy(err as Error);
    return;
  }
  res.addTrailers({ 'X-Flowtrace-Rows': String(rows) });
  res.end();
}

/** Resolves when the response can take more, or is gone; leaves no listener behind. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Each chunk of rows as the export writes them. */
async function* converted<Row, Out>(chunks: AsyncGenerator<Row[]>, convert: (row: Row) => Out): AsyncGenerator<Out[]> {
  for await (const chunk of chunks) yield chunk.map(convert);
}

function pick<Row extends object>(row: Row, columns: readonly (keyof Row & string)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) out[c] = row[c];
  return out;
}

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled; objects as JSON. */
export function csvLine(values: unknown[]): string {
  return `${values
    .map((value) => {
      const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',')}\r\n`;
}
