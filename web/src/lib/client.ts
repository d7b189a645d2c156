// The typed fetch client: one POST per operation to /graphql, the CSRF header on every request (the
// session cookie travels by itself), and errors turned into ApiError by their stable code.
import type { TypedDocumentString } from '../gql/graphql';
import { ApiError, type ApiErrorShape } from './errors';
import { CSRF_COOKIE, CSRF_HEADER, readCookie } from './cookies';

type Listener = (e: ApiError) => void;
let onUnauthenticated: Listener | null = null;

/** Registers what happens when the server says the session is gone (sign-in page with a message). */
export function setUnauthenticatedHandler(fn: Listener | null): void {
  onUnauthenticated = fn;
}

/** Request headers for a same-origin call: JSON, and the CSRF token when the cookie is there. */
export function apiHeaders(): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/graphql-response+json, application/json',
  };
  const csrf = typeof document === 'undefined' ? undefined : readCookie(document.cookie, CSRF_COOKIE);
  if (csrf) headers[CSRF_HEADER] = csrf;
  return headers;
}

interface RawError {
  message: string;
  extensions?: { code?: string; field?: string; retryAfter?: number };
}

/** The first error of a GraphQL response as an ApiErrorShape. */
export function firstError(errors: RawError[], requestId?: string, retryHeader?: string | null): ApiErrorShape {
  const e = errors[0];
  const retry = e?.extensions?.retryAfter ?? (retryHeader ? Number(retryHeader) : undefined);
  return {
    code: e?.extensions?.code ?? 'INTERNAL_SERVER_ERROR',
    message: e?.message ?? 'unknown error',
    field: e?.extensions?.field,
    retryAfter: Number.isFinite(retry) ? retry : undefined,
    requestId,
  };
}

/** Runs a typed operation. Throws ApiError on any error (partial data is not used by the pages). */
export async function gql<TResult, TVars>(
  doc: TypedDocumentString<TResult, TVars>,
  ...[variables]: TVars extends Record<string, never> ? [] | [TVars] : [TVars]
): Promise<TResult> {
  const resp = await fetch('/graphql', {
    method: 'POST',
    credentials: 'same-origin',
    headers: apiHeaders(),
    body: JSON.stringify({ query: doc.toString(), variables: variables ?? {} }),
  });
  const requestId = resp.headers.get('x-request-id') ?? undefined;
  let body: { data?: TResult; errors?: RawError[] };
  try {
    body = await resp.json();
  } catch {
    const err = new ApiError({ code: resp.ok ? 'INTERNAL_SERVER_ERROR' : statusCode(resp.status), message: resp.statusText, requestId });
    if (err.code === 'UNAUTHENTICATED' && onUnauthenticated) onUnauthenticated(err);
    throw err;
  }
  if (body.errors?.length) {
    const err = new ApiError(firstError(body.errors, requestId, resp.headers.get('retry-after')));
    if (err.code === 'UNAUTHENTICATED' && onUnauthenticated) onUnauthenticated(err);
    throw err;
  }
  if (!body.data) throw new ApiError({ code: 'INTERNAL_SERVER_ERROR', message: 'empty response', requestId });
  return body.data;
}

function statusCode(status: number): string {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 503) return 'SERVICE_UNAVAILABLE';
  return 'INTERNAL_SERVER_ERROR';
}

/** A sign-in provider from GET /login/providers. */
export interface Provider {
  name: string;
  displayName: string;
  loginUrl: string;
}

/** The configured sign-in providers. */
export async function loadProviders(): Promise<Provider[]> {
  const resp = await fetch('/login/providers', { credentials: 'same-origin' });
  if (!resp.ok) throw new ApiError({ code: statusCode(resp.status), message: resp.statusText });
  return ((await resp.json()) as { providers: Provider[] }).providers;
}

/** Ends the session on the server (revokes it, clears the cookies). Errors are ignored: we sign out anyway. */
export async function logout(): Promise<void> {
  try {
    await fetch('/logout', { method: 'POST', credentials: 'same-origin', headers: apiHeaders() });
  } catch {
    /* the local state is cleared regardless */
  }
}
