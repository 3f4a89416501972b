/**
 * Redaction before storage: each planted credential, as free text and as an
 * attribute, comes out of the collector's redaction without its secret and
 * with its key or scheme kept; ordinary text, ids and attributes come out
 * unchanged; a project's own patterns apply on top, and are read through a
 * cache.
 */
import { describe, expect, it } from 'vitest';
import type { LogRow, SpanRow } from '@flowtrace/store';
import { BUILT_IN_RULES, ProjectRedaction, REDACTED, compileRules, isSecretKey, patternProblem, redactAttributes, redactBatch, redactText } from '../src/ingest/redact.js';
import { ALL_PLANTED_TEXT, PLANTED, SECRETS, leakedIn } from '../../test/support/secrets.js';

describe('built-in redaction of free text', () => {
  it.each(PLANTED.map((p) => [p.name, p] as const))('redacts %s', (_name, planted) => {
    const redacted = redactText(planted.text);
    expect(leakedIn(redacted)).toEqual([]);
    expect(redacted).toContain(REDACTED);
  });

  it('keeps the key, the scheme and the user in front of what it cuts', () => {
    expect(redactText('Authorization: Bearer sk-live-4f9a8b7c6d5e4f3a2b1c')).toBe('Authorization: Bearer [REDACTED]');
    expect(redactText('GET https://api.example.com/v1/items?api_key=ak_9Xq2Lm7Pz4Rt8Wv1&page=2')).toBe('GET https://api.example.com/v1/items?api_key=[REDACTED]&page=2');
    expect(redactText('https://api.example.com/cb?state=xyz&access_token=at_5Jk8Hs2Df6Gq9Lp3')).toBe('https://api.example.com/cb?state=xyz&access_token=[REDACTED]');
    expect(redactText('connecting to https://svc:UrlPassw0rd77@db.example.com:5432/app')).toBe('connecting to https://svc:[REDACTED]@db.example.com:5432/app');
    expect(redactText('{"user":"ana","password":"hunter2-Passw0rd","remember":true}')).toBe('{"user":"ana","password":"[REDACTED]","remember":true}');
    expect(redactText('{\\"user\\":\\"ana\\",\\"password\\":\\"hunter2-Passw0rd\\"}')).toBe('{\\"user\\":\\"ana\\",\\"password\\":\\"[REDACTED]\\"}');
    expect(redactText('login failed: password=hunter2-Passw0rd for ana')).toBe('login failed: password=[REDACTED] for ana');
    expect(redactText('POST /oauth/token client_id=app-1&client_secret=cs_Z7y6X5w4V3u2T1s0&grant_type=client_credentials')).toBe(
      'POST /oauth/token client_id=app-1&client_secret=[REDACTED]&grant_type=client_credentials',
    );
    expect(redactText('env aws_access_key_id=AKIAI44QH8DHBEXAMPLE aws_secret_access_key=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY')).toBe(
      'env aws_access_key_id=AKIA[REDACTED] aws_secret_access_key=[REDACTED]',
    );
    expect(redactText('Cookie: session=sess_3f2e1d0c9b8a7z6y; csrftoken=csrf_Q1w2E3r4T5y6')).toBe('Cookie: [REDACTED]');
    expect(redactText('X-CSRF-Token: csrf_Q1w2E3r4T5y6')).toBe('X-CSRF-Token: [REDACTED]');
    expect(redactText('retried with Authorization: Basic YWRtaW46T3Azbi1TZXNhbWU= and failed')).toBe('retried with Authorization: Basic [REDACTED] and failed');
    expect(redactText('{"headers":{"Cookie":"a=b; c=d","Authorization":"Bearer abcdefgh123"}}')).toBe('{"headers":{"Cookie":"[REDACTED]","Authorization":"[REDACTED]"}}');
  });

  it('redacts every secret of one long line, and is stable when applied again', () => {
    const once = redactText(ALL_PLANTED_TEXT);
    expect(leakedIn(once)).toEqual([]);
    expect(redactText(once)).toBe(once);
  });

  it('leaves what the SDK already redacted as it is', () => {
    for (const text of ['https://acme.my.salesforce.com/query?q=SELECT&access_token=REDACTED', 'https://REDACTED:REDACTED@db.example.com/app', '{"api_key":"[REDACTED]"}']) {
      expect(redactText(text)).toBe(text);
    }
  });

  it('leaves ordinary text and ids alone', () => {
    const ordinary = [
      'Request failed with status 502',
      'Workflow execution started for trace 4bf92f3577b34da6a3ce929d0e0e4736, span 00f067aa0ba902b7',
      'Basic authentication failed; Token refreshed; Bearer tokens expire after an hour',
      'POST /oauth/token returned 400 invalid_grant',
      'Recipe function by Workato: new call for function: Calling job ID=j-AEcaNXWz-Yhzrct, and ID=2d02d10dj28',
      'Scheduled time=2023-09-07T02:07:13.217909-08:00, Scheduled day=Thursday',
      'gen_ai.usage.input_tokens=120 max_tokens: 5 key=value',
      'sha1 0123456789abcdef0123456789abcdef01234567 of the export',
      'GET https://api.example.com/records?page=3&limit=100',
      'mail [email protected] about https://example.com/users/@ana',
      '{"query":"q-3","records":2,"status":"SUCCEEDED"}',
      '4c7445d2-1972-4ed6-9e47-000000046053',
      '',
    ];
    for (const text of ordinary) expect(redactText(text)).toBe(text);
  });
});

describe('built-in redaction of attributes', () => {
  it.each(PLANTED.map((p) => [p.name, p] as const))('redacts %s as an attribute', (_name, planted) => {
    const [key, value] = planted.attribute;
    const attributes = { [key]: value, 'http.request.method': 'GET' };
    redactAttributes(attributes);
    expect(leakedIn(JSON.stringify(attributes))).toEqual([]);
    expect(attributes['http.request.method']).toBe('GET');
  });

  it('knows secret keys by how they end, in any case', () => {
    const secret = [
      'password', 'db.password', 'PASSWD', 'pwd', 'client_secret', 'oauth.client_secret', 'token', 'access_token', 'refresh_token', 'csrftoken',
      'http.request.header.authorization', 'http.request.header.x-csrf-token', 'http.request.header.cookie', 'http.response.header.set-cookie',
      'api_key', 'apiKey', 'x-api-key', 'X-API-Key', 'aws.secret_access_key', 'SecretAccessKey', 'private_key', 'credentials',
    ];
    const ordinary = ['gen_ai.usage.input_tokens', 'flowtrace.execution.id', 'session.id', 'url.full', 'messaging.kafka.message.key', 'bypass', 'flowtrace.step.name', 'author', 'aws.access_key_id'];
    for (const key of secret) expect(isSecretKey(key), key).toBe(true);
    for (const key of ordinary) expect(isSecretKey(key), key).toBe(false);
  });

  it('keeps empty values empty and ordinary values as they are', () => {
    const attributes = { 'db.password': '', 'flowtrace.execution.id': 'exec-0001', 'http.response.status_code': '200', 'url.full': 'https://api.example.com/records?page=3' };
    const before = { ...attributes };
    redactAttributes(attributes);
    expect(attributes).toEqual(before);
  });
});

function spanRow(text: string, attribute: [string, string]): SpanRow {
  const [key, value] = attribute;
  return {
    ProjectId: 'p', Timestamp: '1700000000.000000000', TraceId: '4bf92f3577b34da6a3ce929d0e0e4736', SpanId: '00f067aa0ba902b7', ParentSpanId: '', TraceState: '',
    SpanName: text, SpanKind: 'Client', ServiceName: 'svc', ResourceAttributes: { 'service.name': 'svc', [key]: value, note: text }, ScopeName: 's', ScopeVersion: '1',
    SpanAttributes: { [key]: value, 'flowtrace.note': text }, Duration: '1000', StatusCode: 'Error', StatusMessage: text,
    'Events.Timestamp': ['1700000000.000000000'], 'Events.Name': [text], 'Events.Attributes': [{ [key]: value, 'exception.message': text }],
    'Links.TraceId': ['4bf92f3577b34da6a3ce929d0e0e4737'], 'Links.SpanId': ['00f067aa0ba902b8'], 'Links.TraceState': [''], 'Links.Attributes': [{ [key]: value, reason: text }],
  };
}

function logRow(text: string, attribute: [string, string]): LogRow {
  const [key, value] = attribute;
  return {
    ProjectId: 'p', Timestamp: '1700000000.000000000', TraceId: '4bf92f3577b34da6a3ce929d0e0e4736', SpanId: '00f067aa0ba902b7', TraceFlags: 1, SeverityText: 'ERROR', SeverityNumber: 17,
    ServiceName: 'svc', Body: text, ResourceSchemaUrl: '', ResourceAttributes: { [key]: value }, ScopeSchemaUrl: '', ScopeName: 's', ScopeVersion: '1',
    ScopeAttributes: { [key]: value, note: text }, LogAttributes: { [key]: value, 'flowtrace.error.message': text }, EventName: 'step.failed',
  };
}

describe('redactBatch', () => {
  it('redacts every field of spans and logs that can hold a credential', () => {
    const rows = { spans: PLANTED.map((p) => spanRow(p.text, p.attribute)), logs: PLANTED.map((p) => logRow(p.text, p.attribute)) };
    expect(leakedIn(JSON.stringify(rows)).sort()).toEqual([...SECRETS].sort());
    redactBatch(rows);
    expect(leakedIn(JSON.stringify(rows))).toEqual([]);
    // What is no credential stays.
    expect(rows.spans[0]!.TraceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(rows.spans[0]!.ResourceAttributes['service.name']).toBe('svc');
    expect(rows.logs[0]!.EventName).toBe('step.failed');
  });
});

describe("a project's own patterns", () => {
  it('are applied on top of the built-in rules, everywhere', () => {
    const rules = compileRules(['ACME-[0-9]{6}', 'internal-[a-z]+\\.corp']);
    expect(redactText('order ACME-123456 for internal-billing.corp, ACME-654321 too', rules)).toBe('order [REDACTED] for [REDACTED], [REDACTED] too');
    expect(redactText('order ACME-123456', BUILT_IN_RULES)).toBe('order ACME-123456');
    const rows = { spans: [spanRow('ship ACME-123456', ['flowtrace.order', 'ACME-123456'])], logs: [logRow('ACME-123456 failed', ['flowtrace.order', 'ACME-123456'])] };
    redactBatch(rows, rules);
    expect(JSON.stringify(rows)).not.toContain('ACME-123456');
  });

  it('refuses a pattern that does not compile or matches the empty string', () => {
    expect(patternProblem('ACME-[0-9]{6}')).toBeUndefined();
    expect(patternProblem('ACME-[0-9')).toMatch(/^is not a valid regular expression/);
    expect(patternProblem('a*')).toBe('matches the empty string');
    const invalid: string[] = [];
    const rules = compileRules(['(', 'ACME-[0-9]{6}'], (source) => invalid.push(source));
    expect(invalid).toEqual(['(']);
    expect(rules.extra).toHaveLength(1);
  });

  it('are read once per project and cache period, by concurrent requests too', async () => {
    const reads: string[] = [];
    let patterns = ['ACME-[0-9]{6}'];
    const source = new ProjectRedaction(
      async (projectId) => {
        reads.push(projectId);
        return patterns;
      },
      { cacheMs: 150 },
    );
    const [a, b] = await Promise.all([source.rulesFor('p1'), source.rulesFor('p1')]);
    expect(a).toBe(b);
    await source.rulesFor('p1');
    await source.rulesFor('p2');
    expect(reads).toEqual(['p1', 'p2']);
    patterns = ['OTHER-[0-9]+'];
    await new Promise((resolve) => setTimeout(resolve, 200));
    const fresh = await source.rulesFor('p1');
    expect(reads).toEqual(['p1', 'p2', 'p1']);
    expect(redactText('OTHER-42 ACME-123456', fresh)).toBe('[REDACTED] ACME-123456');
  });

  it('does not remember a failed read', async () => {
    let fail = true;
    const source = new ProjectRedaction(
      async () => {
        if (fail) throw new Error('store away');
        return [];
      },
      { cacheMs: 60_000 },
    );
    await expect(source.rulesFor('p1')).rejects.toThrow('store away');
    fail = false;
    expect(await source.rulesFor('p1')).toBe(BUILT_IN_RULES);
  });
});
