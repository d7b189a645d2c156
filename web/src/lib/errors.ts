// Error messages a person can act on, chosen by the API's stable error code (never by message text).

/** One error as the API reports it. */
export interface ApiErrorShape {
  code: string;
  message: string;
  field?: string;
  retryAfter?: number;
  requestId?: string;
}

/** A failed API call: the first error's code, the server's message, and the optional field / wait. */
export class ApiError extends Error implements ApiErrorShape {
  code: string;
  field?: string;
  retryAfter?: number;
  requestId?: string;
  constructor(e: ApiErrorShape) {
    super(e.message);
    this.name = 'ApiError';
    this.code = e.code;
    this.field = e.field;
    this.retryAfter = e.retryAfter;
    this.requestId = e.requestId;
  }
}

/** Turns anything thrown into an ApiError (network failures become `NETWORK_ERROR`). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof TypeError) return new ApiError({ code: 'NETWORK_ERROR', message: e.message });
  return new ApiError({ code: 'INTERNAL_SERVER_ERROR', message: String(e) });
}

function seconds(n: number): string {
  if (n < 60) return `${n} second${n === 1 ? '' : 's'}`;
  const m = Math.ceil(n / 60);
  return `${m} minute${m === 1 ? '' : 's'}`;
}

/** A helpful sentence for an error, by its code. */
export function describeError(e: ApiErrorShape): string {
  const field = e.field ? `“${e.field}”` : '';
  switch (e.code) {
    case 'UNAUTHENTICATED':
      return 'You need to sign in for this. If you were signed in, your session has ended: sign in again.';
    case 'FORBIDDEN':
      return 'You are not allowed to do this. Ask an administrator if you need the permission.';
    case 'NOT_FOUND':
      return 'This was not found. It may have been deleted, or you may not be allowed to see it.';
    case 'CONFLICT':
      return e.field && e.field !== 'version'
        ? `The value of ${field} conflicts with an existing entry: ${e.message}`
        : 'Someone changed this entry since you opened it. Reload it to see their change, then make yours again.';
    case 'RATE_LIMITED':
      return e.retryAfter
        ? `Too many attempts. Wait ${seconds(e.retryAfter)} and try again.`
        : 'Too many attempts. Wait a moment and try again.';
    case 'BAD_USER_INPUT':
      return e.field ? `Please check ${field}: ${e.message}` : `The request was not accepted: ${e.message}`;
    case 'SERVICE_UNAVAILABLE':
      return 'This is not available right now (the service is still starting or reloading). Try again shortly.';
    case 'NETWORK_ERROR':
      return 'The server could not be reached. Check your connection and try again.';
    case 'GRAPHQL_PARSE_FAILED':
    case 'GRAPHQL_VALIDATION_FAILED':
      return 'This page sent a request the server does not understand; reload the page (the app may have been updated).';
    default:
      return e.requestId
        ? `Something went wrong on the server. Try again; if it keeps happening, tell the administrators the request id ${e.requestId}.`
        : 'Something went wrong on the server. Try again; if it keeps happening, tell the administrators.';
  }
}
