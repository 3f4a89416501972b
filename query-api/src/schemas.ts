import { z } from 'zod';

export const projectIdParam = z.uuid({ message: 'must be a project id (a UUID)' });

export const traceParams = z.object({
  projectId: projectIdParam,
  traceId: z
    .string()
    .regex(/^[0-9a-fA-F]{32}$/, { message: 'must be 32 hex characters' })
    .refine((id) => !/^0+$/.test(id), { message: 'must not be all zeros' })
    .transform((id) => id.toLowerCase()),
});

const name = z.string().trim().min(1, { message: 'is required' }).max(200, { message: 'must be at most 200 characters' });

export const createProjectBody = z.object({ name });
export const createKeyBody = z.object({ name });
export const projectParams = z.object({ projectId: projectIdParam });
export const keyParams = z.object({ projectId: projectIdParam, keyId: z.uuid({ message: 'must be a key id (a UUID)' }) });

// ---------------------------------------------------------------------------
// Query parameters shared by the list endpoints

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An ISO 8601 date or date-time ("2023-02-16", "2023-02-16T00:00:00",
 * "2023-02-16T00:00:00.000Z", "…+02:00"); without a zone it is UTC. Parsed to
 * nanoseconds since the epoch.
 */
export const isoDate = z
  .string()
  .regex(ISO_DATE, { message: 'must be an ISO 8601 date or date-time, e.g. 2023-02-16T00:00:00Z' })
  .refine((text) => Number.isFinite(dateMillis(text)), { message: 'is not a valid date' })
  .transform((text) => BigInt(dateMillis(text)) * 1_000_000n)
  .meta({ format: 'date-time' });

function dateMillis(text: string): number {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  // Date.parse rolls 2023-02-30 over to March 2: refuse a day the month does not have.
  const day = new Date(Date.UTC(y, m - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return NaN;
  const withTime = text.length === 10 ? `${text}T00:00:00` : text.replace(' ', 'T');
  return Date.parse(/(?:Z|[+-]\d{2}:?\d{2})$/.test(withTime) ? withTime : `${withTime}Z`);
}

/** A filter value: trimmed, 1–200 characters. */
export const filterValue = z.string().trim().min(1, { message: 'must not be empty' }).max(200, { message: 'must be at most 200 characters' });

/**
 * An integration name, matched whatever its case: integration names are
 * lowercase slugs (salesforce, hubspot — the instrumentation's and Workato's
 * adapters'), so `integration=Salesforce` is read as `salesforce`.
 */
export const integrationValue = filterValue.transform((name) => name.toLowerCase()).meta({ description: 'integration name, any case (e.g. salesforce)' });

/** A comma-separated list of allowed values ("FAILED,CANCELLED"). */
export const oneOrMore = <const T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((text) => text.split(',').map((v) => v.trim()))
    .pipe(z.array(z.enum(values)).min(1))
    .meta({ description: `one or more of ${values.join(', ')}, comma-separated` });

export const hex32 = z
  .string()
  .regex(/^[0-9a-fA-F]{32}$/, { message: 'must be 32 hex characters' })
  .transform((id) => id.toLowerCase());

export const offsetParam = z.coerce
  .number({ message: 'must be a number' })
  .int({ message: 'must be a whole number' })
  .min(0, { message: 'must be 0 or more' })
  .max(100_000_000, { message: 'must be at most 100000000' })
  .default(0);

export const limitParam = (max: number, fallback: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number' })
    .min(1, { message: 'must be at least 1' })
    .max(max, { message: `must be at most ${max}` })
    .default(fallback);

/** Reports a from after (or equal to) a to, under the from's name. */
export function orderedRange<T extends Record<string, unknown>>(fromKey: keyof T & string, toKey: keyof T & string) {
  return (value: T, ctx: z.core.$RefinementCtx<T>): void => {
    const from = value[fromKey] as bigint | undefined;
    const to = value[toKey] as bigint | undefined;
    if (from !== undefined && to !== undefined && from >= to) {
      ctx.addIssue({ code: 'custom', path: [fromKey], message: `must be before ${toKey}` });
    }
  };
}

/** Task History's statuses (an execution passes through the last three). */
export const WORKFLOW_STATUSES = ['SUCCEEDED', 'FAILED', 'RUNNING', 'DELAYED', 'CANCELLED'] as const;

/** Managed Sync's lifecycle phases and statuses, as its logs name them. */
export const SYNC_TYPES = ['INITIAL', 'INCREMENTAL', 'FULL', 'PERMISSION', 'SINGLE_RECORD'] as const;
export const SYNC_STATUSES = ['ACTIVE', 'IDLE', 'RATE_LIMITED', 'ERRORED'] as const;

const DURATION = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/;
const NANOS_PER: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** A duration with its unit ("250ms", "1.5s", "2m", "800us"), as Jaeger and Tempo take it; parsed to nanoseconds. */
export const durationParam = z
  .string()
  .trim()
  .regex(DURATION, { message: 'must be a duration with its unit, such as 250ms, 1.5s, 2m or 800us' })
  .transform((text) => {
    const [, amount, unit] = DURATION.exec(text)!;
    return BigInt(Math.round(Number(amount) * NANOS_PER[unit!]!));
  })
  .meta({ description: 'a duration with its unit: ns, us, ms, s, m or h (e.g. 250ms, 1.5s)' });
