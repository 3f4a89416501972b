import { describe, expect, it } from 'vitest';
import { capturedJson, MAX_CAPTURED_CHARS, redactText, redactUrl, redactValue } from '@flowtrace/conventions';

describe('redaction', () => {
  it('replaces the values of secret-named fields at any depth, and nothing else', () => {
    expect(
      redactValue({
        password: 'hunter2',
        nested: { client_secret: 'cs', refresh_token: 'rt', accessToken: 'at', 'x-api-key': 'k', Authorization: 'Bearer abc' },
        list: [{ apiKey: 'k2' }],
        input_tokens: 3412,
        author: null,
        user_logs_enabled: 'false',
        token: '',
      }),
    ).toEqual({
      password: '[REDACTED]',
      nested: { client_secret: '[REDACTED]', refresh_token: '[REDACTED]', accessToken: '[REDACTED]', 'x-api-key': '[REDACTED]', Authorization: '[REDACTED]' },
      list: [{ apiKey: '[REDACTED]' }],
      input_tokens: 3412,
      author: null,
      user_logs_enabled: 'false',
      token: '',
    });
  });

  it('cuts credentials out of free text and JSON text', () => {
    expect(redactText('sent Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x and password=hunter2&x=1')).toBe(
      'sent Authorization: Bearer [REDACTED] and password=[REDACTED]&x=1',
    );
    expect(JSON.parse(redactText('{"message":"ok","access_token":"abc"}'))).toEqual({ message: 'ok', access_token: '[REDACTED]' });
  });

  it('strips userinfo and secret query parameters from URLs', () => {
    expect(redactUrl('https://user:pass@api.example.com/v1/items?api_key=123&page=2&signature=s')).toBe(
      'https://REDACTED:REDACTED@api.example.com/v1/items?api_key=REDACTED&page=2&signature=REDACTED',
    );
    expect(redactUrl('not a url token=abcdefgh')).toBe('not a url token=abcdefgh');
  });

  it('caps captured payloads', () => {
    const text = capturedJson({ blob: 'x'.repeat(MAX_CAPTURED_CHARS * 2) });
    expect(text.length).toBeLessThan(MAX_CAPTURED_CHARS + 20);
    expect(text.endsWith('…[truncated]')).toBe(true);
  });
});
