import { credentialRefreshTrace, type CredentialRefresh } from '@flowtrace/instrumentation';
import { INTEGRATIONS } from '../catalog.js';
import type { Emission } from '../emission.js';
import { Weighted, type Random } from '../random.js';
import { MINUTE, type User, type World } from '../world.js';

/**
 * Credential refreshes ("Attempted to refresh credential", then "Successfully
 * refreshed" or "Failed to refresh credential"): routine ones as users'
 * tokens expire while they work, and for each revoked credential a failed
 * refresh when it is revoked, failing retries every 30 to 90 minutes, and a
 * successful one once its user reconnects.
 */
export function* credentialRefreshes(world: World): Generator<Emission> {
  const { settings, traffic } = world;
  const rnd = world.rnd.fork('credentials');
  const refreshing = world.tenant.integrations.map(([name]) => INTEGRATIONS[name]!).filter((i) => i.refreshes);
  const connections = world.users.flatMap((user) => user.integrations.filter((name) => refreshing.some((i) => i.name === name)).map((integration) => ({ user, integration })));
  const pick = new Weighted(connections, (c) => c.user.weight * world.tenant.integrations.find(([n]) => n === c.integration)![1]);

  // The first revoked credential that refreshes is the trace to open.
  const featured = world.revocations.find((r) => INTEGRATIONS[r.integration]!.refreshes);
  for (const [i, revocation] of world.revocations.entries()) {
    if (!INTEGRATIONS[revocation.integration]!.refreshes) continue;
    const r = rnd.fork('revoked', i);
    let t = revocation.from;
    for (let k = 0; t < revocation.to && t < settings.window.end; k++) {
      yield refresh(world, r.fork(k), revocation.user, revocation.integration, t, { message: 'invalid_grant: Token has been expired or revoked.', code: 'invalid_grant', httpStatus: 400 }, revocation === featured && k === 0);
      t += r.int(30, 90) * MINUTE;
    }
    if (revocation.to < settings.window.end - MINUTE) yield refresh(world, r.fork('reconnected'), revocation.user, revocation.integration, revocation.to + r.int(1, 30) * 1000, undefined);
  }

  const n = Math.round(settings.scale * settings.days * world.tenant.mix.credentialRefreshes);
  for (let i = 0; i < n; i++) {
    const r = rnd.fork(i);
    const { user, integration } = pick.pick(r);
    const at = traffic.fit(traffic.sample(r.fork('time')), MINUTE);
    const revoked = world.revokedAt(user, integration, at);
    const unavailable = !revoked && (world.incidentAt(integration, at)?.kind === 'errors' ? r.chance(0.3) : r.chance(0.01));
    const error = revoked
      ? { message: 'invalid_grant: Token has been expired or revoked.', code: 'invalid_grant', httpStatus: 400 }
      : unavailable
        ? { message: 'temporarily_unavailable: the authorization server is unavailable', code: 'temporarily_unavailable', httpStatus: 503 }
        : undefined;
    yield refresh(world, r, user, integration, at, error);
  }
}

function refresh(world: World, r: Random, user: User, integration: string, at: number, error: CredentialRefresh['error'], featured = false): Emission {
  const spec = credentialRefreshTrace({
    refreshId: r.fork('id').uuid(),
    credentialId: world.credentialId(user, integration),
    credentialConfigId: world.stableId('credential-config', integration),
    integration,
    userId: user.id,
    attemptedAt: at,
    endedAt: at + Math.round(r.lognormal(error?.httpStatus === 503 ? 2500 : 320, 0.5)),
    succeeded: error === undefined,
    error,
  });
  return { family: 'credential_refresh', spec, status: error ? 'FAILED' : 'SUCCEEDED', featured };
}
