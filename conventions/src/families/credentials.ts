import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { OK, SpanKind, TraceBuilder, attrs, error, errorAttributes } from '../builder.js';
import { traceIdFor } from '../ids.js';
import { toMillis, type Time, type TraceSpec } from '../model.js';
import {
  ATTR_FLOWTRACE_CREDENTIAL_CONFIG_ID,
  ATTR_FLOWTRACE_CREDENTIAL_ID,
  ATTR_FLOWTRACE_INTEGRATION,
  ATTR_FLOWTRACE_KIND,
  ATTR_FLOWTRACE_LOG_TYPE,
  ATTR_FLOWTRACE_STATUS,
  ATTR_USER_ID,
  FLOWTRACE_KIND,
  LOG_TYPE,
} from '../semconv.js';

/** One attempt to refresh a user's access token. */
export interface CredentialRefresh {
  /** This attempt's id; defaults to the credential id and the attempt time. */
  refreshId?: string;
  credentialId: string;
  credentialConfigId?: string;
  integration: string;
  userId?: string;
  attemptedAt: Time;
  endedAt: Time;
  succeeded: boolean;
  error?: { message: string; code?: string; httpStatus?: number };
}

export function credentialRefreshTrace(refresh: CredentialRefresh): TraceSpec {
  const start = toMillis(refresh.attemptedAt);
  const end = toMillis(refresh.endedAt);
  const b = new TraceBuilder(
    traceIdFor('credential_refresh', refresh.refreshId ?? `${refresh.credentialId}@${start}`),
    attrs({
      [ATTR_FLOWTRACE_KIND]: FLOWTRACE_KIND.credentialRefresh,
      [ATTR_FLOWTRACE_LOG_TYPE]: LOG_TYPE.credentials,
      [ATTR_FLOWTRACE_CREDENTIAL_ID]: refresh.credentialId,
      [ATTR_FLOWTRACE_CREDENTIAL_CONFIG_ID]: refresh.credentialConfigId,
      [ATTR_FLOWTRACE_INTEGRATION]: refresh.integration,
      [ATTR_USER_ID]: refresh.userId,
    }),
  );
  const status = refresh.succeeded ? 'SUCCEEDED' : 'FAILED';
  const errorAttrs = errorAttributes(refresh.error);
  const root = b.root({
    name: `refresh credential ${refresh.integration}`,
    kind: SpanKind.CLIENT,
    startTime: start,
    endTime: end,
    attributes: { [ATTR_FLOWTRACE_STATUS]: status, ...(refresh.succeeded ? {} : { [ATTR_ERROR_TYPE]: refresh.error?.code ?? 'RefreshFailed', ...errorAttrs }) },
    status: refresh.succeeded ? OK : error(refresh.error?.message),
  });
  b.log(root, start, 'INFO', 'credential.refresh.attempted', 'Attempted to refresh credential', { [ATTR_FLOWTRACE_STATUS]: status });
  if (refresh.succeeded) b.log(root, end, 'INFO', 'credential.refresh.succeeded', 'Successfully refreshed credential', { [ATTR_FLOWTRACE_STATUS]: status });
  else b.log(root, end, 'ERROR', 'credential.refresh.failed', 'Failed to refresh credential', { [ATTR_FLOWTRACE_STATUS]: status, ...errorAttrs });
  return b.build();
}
