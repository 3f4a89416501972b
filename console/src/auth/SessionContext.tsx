import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { request } from '../api/client';
import { clearSession, loadSession, saveSession, type Session } from './session';

interface SessionValue {
  session: Session | undefined;
  signIn: (session: Session) => void;
  /** Forgets the credential; a key the console created for this tab is revoked first. */
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionValue | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | undefined>(() => loadSession());
  const signIn = useCallback((next: Session) => {
    saveSession(next);
    setSession(next);
  }, []);
  const signOut = useCallback(async () => {
    const current = loadSession();
    clearSession();
    setSession(undefined);
    if (current?.admin) {
      // Best effort: the key would otherwise stay valid after the tab is gone.
      await request(current.admin.token, 'DELETE', `/admin/projects/${encodeURIComponent(current.projectId)}/api-keys/${encodeURIComponent(current.admin.keyId)}`).catch(() => undefined);
    }
  }, []);
  const value = useMemo(() => ({ session, signIn, signOut }), [session, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
