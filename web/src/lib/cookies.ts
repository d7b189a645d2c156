/** The value of a cookie readable by scripts (the CSRF cookie), or undefined. */
export function readCookie(cookieHeader: string, name: string): string | undefined {
  for (const part of cookieHeader.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/** The CSRF cookie's name and the header that must echo it on cookie sessions. */
export const CSRF_COOKIE = '_csrf_token';
export const CSRF_HEADER = 'X-CSRFToken';
