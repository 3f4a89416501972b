/**
 * The signed-in credential. It lives in sessionStorage only: gone when the tab
 * closes, never written to a URL, a cookie or a log. Requests send it in the
 * Authorization header.
 */
export interface Session {
  projectId: string;
  /** Known when signed in with the admin token (from the project list). */
  projectName?: string;
  /** The project API key every /projects/… request sends. */
  key: string;
  /** Signed in with the admin token: the console created `key` for this tab and revokes it at sign-out. */
  admin?: { token: string; keyId: string };
}

const STORAGE_KEY = 'flowtrace.console.session';

export function loadSession(): Session | undefined {
  try {
    const text = sessionStorage.getItem(STORAGE_KEY);
    if (!text) return undefined;
    const value = JSON.parse(text) as Partial<Session>;
    if (typeof value.projectId !== 'string' || typeof value.key !== 'string') return undefined;
    return value as Session;
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
