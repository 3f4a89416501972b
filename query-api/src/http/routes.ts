import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { validate } from './validate.js';
import { ApiError } from './errors.js';

type Method = 'get' | 'post' | 'put' | 'delete';

/** What an endpoint takes and gives: the zod schemas validate requests and generate /openapi.json. */
export interface EndpointSpec {
  summary: string;
  description?: string;
  tag: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The 2xx answer's JSON, for the document only. */
  response?: z.ZodType;
  /** Media types of a non-JSON answer (exports). */
  produces?: string[];
  status?: number;
  /** Further error answers, by status (e.g. 409), with what they mean. */
  errors?: Record<number, string>;
  /** 'project': a key of the project in the path; 'admin': the admin token. */
  auth: 'project' | 'admin' | 'none';
}

interface Registered {
  method: Method;
  path: string;
  spec: EndpointSpec;
}

/**
 * Every endpoint goes through here: it is validated with its schemas, guarded
 * by its authentication, and listed in the OpenAPI document — one declaration,
 * so the document cannot drift from what the server does.
 */
export class ApiRoutes {
  readonly #registered: Registered[] = [];
  readonly #checkResponses: boolean;

  /** `checkResponses`: parse every JSON answer with its declared response schema (tests; see checkedHandler). */
  constructor(options: { checkResponses?: boolean } = {}) {
    this.#checkResponses = options.checkResponses ?? false;
  }

  add(router: Router, method: Method, path: string, spec: EndpointSpec, guards: RequestHandler[], handler: (req: Request, res: Response) => Promise<void> | void): void {
    this.#registered.push({ method, path, spec });
    const checked = this.#checkResponses && !spec.produces ? checkedHandler(method, path, spec, handler) : handler;
    router[method](path, ...guards, validate({ params: spec.params, query: spec.query, body: spec.body }), checked);
  }

  /** The OpenAPI 3.1 document of everything registered. */
  openApi(info: { title: string; version: string }): object {
    const paths: Record<string, Record<string, object>> = {};
    for (const { method, path, spec } of this.#registered) {
      const openPath = path.replace(/:([A-Za-z]+)/g, '{$1}');
      const operation: Record<string, unknown> = {
        operationId: operationId(method, path),
        summary: spec.summary,
        ...(spec.description ? { description: spec.description } : {}),
        tags: [spec.tag],
        parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
        responses: {
          [String(spec.status ?? 200)]: {
            description: spec.summary,
            content: spec.produces
              ? Object.fromEntries(spec.produces.map((type) => [type, { schema: { type: 'string' } }]))
              : { 'application/json': { schema: spec.response ? jsonSchema(spec.response, 'output') : {} } },
          },
          '400': { $ref: '#/components/responses/BadRequest' },
          ...(spec.auth === 'none' ? {} : { '401': { $ref: '#/components/responses/Unauthorized' }, '404': { $ref: '#/components/responses/NotFound' } }),
          ...Object.fromEntries(
            Object.entries(spec.errors ?? {}).map(([status, description]) => [status, { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]),
          ),
        },
        ...(spec.auth === 'none' ? { security: [] } : { security: [{ [spec.auth === 'admin' ? 'adminToken' : 'projectKey']: [] }] }),
      };
      if (spec.body) operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } };
      (paths[openPath] ??= {})[method] = operation;
    }
    const error = { $ref: '#/components/schemas/Error' };
    return {
      openapi: '3.1.0',
      info,
      paths,
      components: {
        securitySchemes: {
          projectKey: { type: 'http', scheme: 'bearer', description: 'An API key of the project in the path (ftk_…).' },
          adminToken: { type: 'http', scheme: 'bearer', description: 'The admin token printed at first start.' },
        },
        schemas: {
          Error: {
            type: 'object',
            required: ['error'],
            properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
        responses: {
          BadRequest: { description: 'Invalid input; the message lists every problem.', content: { 'application/json': { schema: error } } },
          Unauthorized: { description: 'Missing, unknown or revoked credentials.', content: { 'application/json': { schema: error } } },
          NotFound: { description: 'Not found, or not in the key’s project.', content: { 'application/json': { schema: error } } },
        },
      },
    };
  }
}

/**
 * The handler with its 2xx JSON answers held to the documented response
 * schema: a value of the wrong type, a missing field or a field the schema
 * does not name fails the request with a 500 that says where, so a test that
 * calls the endpoint fails the moment the document drifts from the answer.
 */
function checkedHandler(method: Method, path: string, spec: EndpointSpec, handler: (req: Request, res: Response) => Promise<void> | void) {
  const route = `${method.toUpperCase()} ${path}`;
  return (req: Request, res: Response): Promise<void> | void => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      if (res.statusCode < 300) {
        const problems = spec.response ? responseProblems(spec.response, body) : ['the endpoint declares no response schema'];
        if (problems.length > 0) throw new ApiError(500, 'response_schema_mismatch', `${route}: the answer does not match its documented schema: ${problems.join('; ')}`);
      }
      return json(body);
    };
    return handler(req, res);
  };
}

/** What in `body` (as JSON) the schema refuses, and every field it does not name. */
export function responseProblems(schema: z.ZodType, body: unknown): string[] {
  const plain: unknown = body === undefined ? undefined : JSON.parse(JSON.stringify(body));
  const parsed = schema.safeParse(plain);
  if (!parsed.success) return parsed.error.issues.map((issue) => `${issue.path.join('.') || '(answer)'}: ${issue.message}`);
  return undocumented(plain, parsed.data, '');
}

/** Paths present in `given` but dropped by the parse (zod objects strip fields they do not name). */
function undocumented(given: unknown, kept: unknown, at: string): string[] {
  if (Array.isArray(given) && Array.isArray(kept)) return given.flatMap((item, i) => undocumented(item, kept[i], `${at}[${i}]`));
  if (!isObject(given) || !isObject(kept)) return [];
  return Object.entries(given).flatMap(([key, value]) => {
    const path = at ? `${at}.${key}` : key;
    return key in kept ? undocumented(value, kept[key], path) : [`${path}: not in the documented schema`];
  });
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): object {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query'): object[] {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input') as { properties?: Record<string, { description?: string }>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    ...(property.description ? { description: property.description } : {}),
    schema: property,
  }));
}

function operationId(method: Method, path: string): string {
  const words = path
    .split('/')
    .filter((part) => part && part !== 'projects' && !part.startsWith(':'))
    .flatMap((part) => part.split('-'));
  const by = path.endsWith('Id') || /:[A-Za-z]+$/.test(path) ? 'ById' : '';
  return method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') + by;
}
