import { z } from 'zod';
import type { AdminToken } from '@flowtrace/store';
import { notFound } from '../http/errors.js';
import { getRedactionPatterns, setRedactionPatterns } from '../repositories/redaction.js';
import { projectParams } from '../schemas.js';
import { adminRoute } from './admin.js';
import type { RouteContext } from './context.js';

const MAX_PATTERNS = 50;
const MAX_PATTERN_CHARS = 200;

/** Why a pattern cannot be used, or undefined; the collector compiles patterns the same way (`g` flag). */
function patternProblem(source: string): string | undefined {
  if (source.length === 0) return 'must not be empty';
  if (source.length > MAX_PATTERN_CHARS) return `must be at most ${MAX_PATTERN_CHARS} characters`;
  let pattern: RegExp;
  try {
    pattern = new RegExp(source, 'g');
  } catch (err) {
    return `is not a valid regular expression (${(err as Error).message})`;
  }
  return pattern.test('') ? 'matches the empty string' : undefined;
}

const redactionBody = z
  .strictObject({
    patterns: z
      .array(z.string())
      .max(MAX_PATTERNS, { message: `must hold at most ${MAX_PATTERNS} patterns` })
      .meta({ description: `regular expressions (JavaScript syntax, at most ${MAX_PATTERN_CHARS} characters each) whose matches are replaced with [REDACTED]` }),
  })
  .superRefine((body, ctx) => {
    body.patterns.forEach((source, i) => {
      const problem = patternProblem(source);
      // Named patterns[i], as a user reads the list.
      if (problem) ctx.addIssue({ code: 'custom', path: [`patterns[${i}]`], message: problem });
    });
  });
const redaction = z.object({ projectId: z.string(), patterns: z.array(z.string()), updatedAt: z.string().nullable() });

/** A project's own redaction patterns, behind the admin token (built-in redaction always applies). */
export function redactionRoutes(ctx: RouteContext, admin: AdminToken): void {
  const projectMustExist = async (projectId: string) => {
    if (!(await ctx.projects.getProject(projectId))) throw notFound('project');
  };

  adminRoute(
    ctx,
    admin,
    'get',
    '/projects/:projectId/redaction',
    { summary: 'A project’s own redaction patterns (built-in redaction of credentials always applies)', params: projectParams, response: redaction },
    async (_req, res) => {
      const { projectId } = res.locals.params;
      await projectMustExist(projectId);
      res.json({ projectId, ...(await getRedactionPatterns(ctx.store, projectId)) });
    },
  );

  adminRoute(
    ctx,
    admin,
    'put',
    '/projects/:projectId/redaction',
    {
      summary: 'Replaces a project’s own redaction patterns',
      description:
        'Each match of a pattern, in span names, status messages, log bodies and attribute values, is replaced with [REDACTED] before the project’s records are stored, on top of the built-in redaction. Collectors apply a change within FLOWTRACE_KEY_CACHE_SECONDS; records already stored are not changed.',
      params: projectParams,
      body: redactionBody,
      response: redaction,
    },
    async (_req, res) => {
      const { projectId } = res.locals.params;
      await projectMustExist(projectId);
      const body = res.locals.body as z.output<typeof redactionBody>;
      res.json({ projectId, ...(await setRedactionPatterns(ctx.store, projectId, body.patterns)) });
    },
  );
}
