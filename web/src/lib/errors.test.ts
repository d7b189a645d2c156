import { describe, expect, it } from 'vitest';
import { describeError, toApiError } from './errors';
import { firstError } from './client';
import { readCookie } from './cookies';

describe('error messages', () => {
  it('says what to do for each code', () => {
    expect(describeError({ code: 'FORBIDDEN', message: 'not allowed' })).toMatch(/not allowed to do this/);
    expect(describeError({ code: 'NOT_FOUND', message: '' })).toMatch(/not found/);
    expect(describeError({ code: 'CONFLICT', message: 'x', field: 'version' })).toMatch(/changed this entry/);
    expect(describeError({ code: 'CONFLICT', message: 'email taken', field: 'email' })).toBe(
      'The value of “email” conflicts with an existing entry: email taken',
    );
    expect(describeError({ code: 'RATE_LIMITED', message: '', retryAfter: 30 })).toBe('Too many attempts. Wait 30 seconds and try again.');
    expect(describeError({ code: 'RATE_LIMITED', message: '', retryAfter: 300 })).toBe('Too many attempts. Wait 5 minutes and try again.');
    expect(describeError({ code: 'BAD_USER_INPUT', message: 'must not be empty', field: 'title' })).toBe(
      'Please check “title”: must not be empty',
    );
    expect(describeError({ code: 'INTERNAL_SERVER_ERROR', message: 'x', requestId: 'r1' })).toMatch(/request id r1/);
    expect(describeError({ code: 'UNAUTHENTICATED', message: '' })).toMatch(/sign in/);
  });
  it('reads the code, field and wait from a GraphQL error', () => {
    expect(firstError([{ message: 'm', extensions: { code: 'RATE_LIMITED' } }], 'id', '12')).toEqual({
      code: 'RATE_LIMITED',
      message: 'm',
      field: undefined,
      retryAfter: 12,
      requestId: 'id',
    });
    expect(firstError([{ message: 'm' }]).code).toBe('INTERNAL_SERVER_ERROR');
  });
  it('turns network failures into NETWORK_ERROR', () => {
    expect(toApiError(new TypeError('Failed to fetch')).code).toBe('NETWORK_ERROR');
  });
  it('reads the CSRF cookie', () => {
    expect(readCookie('a=1; _csrf_token=abc%3D; b=2', '_csrf_token')).toBe('abc=');
    expect(readCookie('a=1', '_csrf_token')).toBeUndefined();
  });
});
