/**
 * The OpenAPI document cannot drift from the answers: with checkResponses (on
 * in every query API test), an answer that differs from its route's declared
 * response schema — a field of the wrong type, a missing one, or one the
 * schema does not name — fails the request with a 500 that says where.
 */
import express, { Router } from 'express';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiRoutes, responseProblems } from '../src/http/routes.js';
import { errorHandler } from '../src/http/errors.js';
import { listenApp, memoryLogger } from '../../test/support/http.js';

const item = z.object({ id: z.string(), count: z.number(), note: z.string().nullable(), extra: z.record(z.string(), z.unknown()).optional() });
const answer = z.object({ items: z.array(item), nextLink: z.string().optional() });

describe('response schemas', () => {
  it('names every difference between an answer and its schema', () => {
    expect(responseProblems(answer, { items: [{ id: 'a', count: 1, note: null }] })).toEqual([]);
    expect(responseProblems(answer, { items: [{ id: 'a', count: 1, note: null, extra: { anything: [1, { deep: true }] } }] })).toEqual([]);
    expect(responseProblems(answer, { items: [{ id: 'a', count: '1', note: null }] })).toEqual(['items.0.count: Invalid input: expected number, received string']);
    expect(responseProblems(answer, { items: [{ id: 'a', count: 1 }] })).toEqual(['items.0.note: Invalid input: expected string, received undefined']);
    expect(responseProblems(answer, { items: [{ id: 'a', count: 1, note: null, eventName: 'x' }], total: 3 })).toEqual(['items[0].eventName: not in the documented schema', 'total: not in the documented schema']);
    // NaN becomes null in JSON: caught, as the client would see it.
    expect(responseProblems(answer, { items: [{ id: 'a', count: Number.NaN, note: null }] })).toHaveLength(1);
  });

  it('fails a request whose answer drifted, and only in checking mode', async () => {
    const serve = async (checkResponses: boolean, body: unknown) => {
      const app = express();
      const router = Router();
      const api = new ApiRoutes({ checkResponses });
      api.add(router, 'get', '/things', { tag: 'Test', summary: 'things', response: answer, auth: 'none' }, [], (_req, res) => {
        res.json(body);
      });
      app.use(router);
      app.use(errorHandler(memoryLogger()));
      const server = await listenApp(app);
      try {
        const res = await fetch(`${server.url}/things`);
        return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
      } finally {
        await server.close();
      }
    };
    const good = { items: [{ id: 'a', count: 1, note: null }] };
    const drifted = { items: [{ id: 'a', count: 1, note: null, renamed: 'x' }] };
    expect(await serve(true, good)).toEqual({ status: 200, body: good });
    const failed = await serve(true, drifted);
    expect(failed.status).toBe(500);
    expect(failed.body.error).toEqual({ code: 'response_schema_mismatch', message: 'GET /things: the answer does not match its documented schema: items[0].renamed: not in the documented schema' });
    expect((await serve(false, drifted)).status).toBe(200);
  });
});
