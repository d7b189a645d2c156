// Who is signed in. Held in memory only (never localStorage); signing out reloads the page so that nothing
// user-specific survives in memory either.
import { gql, logout, setUnauthenticatedHandler } from './client';
import { MeQuery } from './operations';
import type { MeQuery as MeResult } from '../gql/graphql';
import { effectivePermissions } from './permissions';
import { navigate } from './router.svelte';

/** The signed-in user's own fields. */
export type Me = NonNullable<MeResult['me']>;

/** The session state shared by every page. */
export const session = $state<{ user: Me | null; loaded: boolean; perms: Set<string> }>({
  user: null,
  loaded: false,
  perms: new Set(),
});

/** Whether the signed-in user holds a permission (implications included). */
export function can(permission: string): boolean {
  return session.perms.has(permission);
}

function setUser(user: Me | null): void {
  session.user = user;
  session.perms = effectivePermissions(user?.permissions ?? []);
}

/** Loads `me` (null when anonymous). */
export async function loadSession(): Promise<void> {
  try {
    setUser((await gql(MeQuery)).me ?? null);
  } catch {
    setUser(null);
  } finally {
    session.loaded = true;
  }
}

/** Signs out: revokes the session, then reloads the app at `/` with empty memory. */
export async function signOut(): Promise<void> {
  await logout();
  setUser(null);
  window.location.assign('/');
}

let expiring = false;
setUnauthenticatedHandler(() => {
  // The session cookie is invalid or expired: clear it and ask to sign in again, coming back here after.
  if (expiring) return;
  expiring = true;
  const here = window.location.pathname + window.location.search;
  void logout().finally(() => {
    setUser(null);
    expiring = false;
    if (!window.location.pathname.startsWith('/signin')) {
      navigate(`/signin?expired=1&returnTo=${encodeURIComponent(here)}`, true);
    }
  });
});
