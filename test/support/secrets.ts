/**
 * The credentials a sender may leak into telemetry, each as free text (where
 * redaction works by pattern) and as an attribute (where it works by key).
 * `secrets` are the strings that must never be stored or read back.
 */
export interface PlantedSecret {
  name: string;
  secrets: string[];
  /** The secret in free text: a log line, a span name, a URL. */
  text: string;
  /** The secret as an attribute value, under the key a sender would use. */
  attribute: [key: string, value: string];
}

export const PLANTED: PlantedSecret[] = [
  {
    name: 'a bearer token in an attribute',
    secrets: ['sk-live-4f9a8b7c6d5e4f3a2b1c'],
    text: 'Authorization: Bearer sk-live-4f9a8b7c6d5e4f3a2b1c',
    attribute: ['http.request.header.authorization', 'Bearer sk-live-4f9a8b7c6d5e4f3a2b1c'],
  },
  {
    name: 'a bearer token in a log body',
    secrets: ['sk-live-9e8d7c6b5a4f3e2d1c0b'],
    text: 'upstream refused bearer sk-live-9e8d7c6b5a4f3e2d1c0b (401), retrying',
    attribute: ['http.request.header.proxy-authorization', 'Bearer sk-live-9e8d7c6b5a4f3e2d1c0b'],
  },
  {
    name: 'api_key in a URL',
    secrets: ['ak_9Xq2Lm7Pz4Rt8Wv1'],
    text: 'GET https://api.example.com/v1/items?api_key=ak_9Xq2Lm7Pz4Rt8Wv1&page=2',
    attribute: ['http.request.header.x-api-key', 'ak_9Xq2Lm7Pz4Rt8Wv1'],
  },
  {
    name: 'access_token in a URL',
    secrets: ['at_5Jk8Hs2Df6Gq9Lp3'],
    text: 'https://api.example.com/oauth/callback?state=xyz&access_token=at_5Jk8Hs2Df6Gq9Lp3',
    attribute: ['oauth.access_token', 'at_5Jk8Hs2Df6Gq9Lp3'],
  },
  {
    name: 'a password in a URL',
    secrets: ['UrlPassw0rd77'],
    text: 'connecting to https://svc:UrlPassw0rd77@db.example.com:5432/app',
    attribute: ['url.full', 'https://svc:UrlPassw0rd77@db.example.com:5432/app'],
  },
  {
    name: 'a password',
    secrets: ['hunter2-Passw0rd'],
    text: 'login request {"user":"ana","password":"hunter2-Passw0rd","remember":true}',
    attribute: ['db.password', 'hunter2-Passw0rd'],
  },
  {
    name: 'a client secret',
    secrets: ['cs_Z7y6X5w4V3u2T1s0'],
    text: 'POST /oauth/token client_id=app-1&client_secret=cs_Z7y6X5w4V3u2T1s0&grant_type=client_credentials',
    attribute: ['oauth.client_secret', 'cs_Z7y6X5w4V3u2T1s0'],
  },
  {
    name: 'an AWS key pair',
    secrets: ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    text: 'S3 upload with AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY failed',
    attribute: ['aws.secret_access_key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  },
  {
    name: 'an AWS key pair as key=value',
    secrets: ['AKIAI44QH8DHBEXAMPLE', 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY'],
    text: 'env aws_access_key_id=AKIAI44QH8DHBEXAMPLE aws_secret_access_key=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
    attribute: ['aws.access_key_id', 'AKIAI44QH8DHBEXAMPLE'],
  },
  {
    name: 'a cookie and a CSRF token',
    secrets: ['sess_3f2e1d0c9b8a7z6y', 'csrf_Q1w2E3r4T5y6'],
    text: 'Cookie: session=sess_3f2e1d0c9b8a7z6y; csrftoken=csrf_Q1w2E3r4T5y6',
    attribute: ['http.request.header.cookie', 'session=sess_3f2e1d0c9b8a7z6y; csrftoken=csrf_Q1w2E3r4T5y6'],
  },
  {
    name: 'basic auth',
    secrets: ['YWRtaW46T3Azbi1TZXNhbWU='],
    text: 'retried with Authorization: Basic YWRtaW46T3Azbi1TZXNhbWU= and failed',
    attribute: ['http.request.header.authorization', 'Basic YWRtaW46T3Azbi1TZXNhbWU='],
  },
];

/** Every secret string of PLANTED. */
export const SECRETS: string[] = PLANTED.flatMap((p) => p.secrets);

/** Every planted text in one line (a log body, a status message, an error). */
export const ALL_PLANTED_TEXT = PLANTED.map((p) => p.text).join(' | ');

/** The secrets `text` still holds. */
export const leakedIn = (text: string): string[] => SECRETS.filter((secret) => text.includes(secret));
