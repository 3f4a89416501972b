import { z } from 'zod';
import type { AdminToken } from '@flowtrace/store';
import { listAlertInstances, listAlertNotifications, listAlertRules } from '../repositories/alerts.js';
import { toAlertInstance, toAlertNotification, toAlertRule } from '../converters/alerts.js';
import { filterValue, limitParam } from '../schemas.js';
import { adminRoute } from './admin.js';
import type { RouteContext } from './context.js';

const STATES = ['normal', 'pending', 'firing'] as const;

const rule = z.object({
  id: z.string(),
  title: z.string(),
  source: z.string().meta({ description: 'the rules file' }),
  health: z.enum(['ok', 'error', 'unknown']).meta({ description: 'the outcome of the last evaluation (unknown: not evaluated yet)' }),
  lastError: z.string().nullable(),
  lastEvaluatedAt: z.string().nullable(),
  lastDurationMs: z.number(),
  instances: z.object({ firing: z.number(), pending: z.number() }),
  definition: z.record(z.string(), z.unknown()).meta({ description: 'window, for, interval, condition, labels, annotations, link and sql, as evaluated' }),
  updatedAt: z.string(),
});

const instance = z.object({
  ruleId: z.string(),
  fingerprint: z.string(),
  labels: z.record(z.string(), z.string()).meta({ description: 'the labels of its row (project, integration, …)' }),
  state: z.enum(STATES),
  episode: z.number().meta({ description: 'how many times it has fired' }),
  value: z.number().nullable(),
  activeAt: z.string().nullable().meta({ description: 'since when its condition has been met (pending or firing)' }),
  firedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  lastEvaluatedAt: z.string(),
});

const delivery = z.object({
  webhook: z.string().meta({ description: 'the webhook’s origin (its path may hold a secret and is not shown)' }),
  state: z.enum(['pending', 'delivered', 'failed', 'dropped']),
  attempts: z.number(),
  lastError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
});

const notification = z.object({
  id: z.string().meta({ description: 'stable: the Idempotency-Key header and the payload’s id' }),
  ruleId: z.string(),
  fingerprint: z.string(),
  status: z.enum(['firing', 'resolved']),
  createdAt: z.string(),
  pending: z.boolean().meta({ description: 'a delivery awaits a retry' }),
  deliveries: z.array(delivery),
  payload: z.record(z.string(), z.unknown()).meta({ description: 'the JSON body posted to the webhooks' }),
});

const stateQuery = z.strictObject({
  ruleId: filterValue.optional(),
  state: z.enum(STATES).optional(),
  limit: limitParam(1000, 500),
});

const notificationQuery = z.strictObject({
  ruleId: filterValue.optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  pending: z.enum(['true', 'false']).optional().meta({ description: 'true: only those with a delivery awaiting a retry' }),
  limit: limitParam(500, 50),
});

const NO_EVALUATOR = 'Written by the process that evaluates the rules (flowtrace start, or the one with FLOWTRACE_ALERTING=on) and read from the store, so any query API shows them; empty when no process evaluates.';

/** Alerting, behind the admin token: the rules, each instance's state and the latest notifications with their deliveries. */
export function alertRoutes(ctx: RouteContext, admin: AdminToken): void {
  adminRoute(
    ctx,
    admin,
    'get',
    '/alerts/rules',
    { summary: 'The alert rules being evaluated, with the outcome of their last evaluation and their firing and pending instances', description: NO_EVALUATOR, response: z.object({ rules: z.array(rule) }) },
    async (_req, res) => {
      res.json({ rules: (await listAlertRules(ctx.store)).map(toAlertRule) });
    },
  );

  adminRoute(
    ctx,
    admin,
    'get',
    '/alerts/state',
    { summary: 'Alert instances (a rule and one label set): normal, pending or firing; firing first', description: NO_EVALUATOR, query: stateQuery, response: z.object({ instances: z.array(instance) }) },
    async (_req, res) => {
      const q = res.locals.query as z.output<typeof stateQuery>;
      res.json({ instances: (await listAlertInstances(ctx.store, q)).map(toAlertInstance) });
    },
  );

  adminRoute(
    ctx,
    admin,
    'get',
    '/alerts/notifications',
    {
      summary: 'The latest alert notifications (firing, resolved), newest first, with each webhook delivery’s state, attempts and last error',
      description: `${NO_EVALUATOR} Kept 30 days.`,
      query: notificationQuery,
      response: z.object({ notifications: z.array(notification) }),
    },
    async (_req, res) => {
      const q = res.locals.query as z.output<typeof notificationQuery>;
      const rows = await listAlertNotifications(ctx.store, { ruleId: q.ruleId, status: q.status, pending: q.pending === undefined ? undefined : q.pending === 'true', limit: q.limit });
      res.json({ notifications: rows.map(toAlertNotification) });
    },
  );
}
