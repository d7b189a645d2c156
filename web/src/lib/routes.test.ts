import { describe, expect, it } from 'vitest';
import { matchRoute, safeReturnPath } from './routes';
import { effectivePermissions } from './permissions';

describe('routes', () => {
  it('matches patterns with parameters', () => {
    expect(matchRoute('/datasets/:id', '/datasets/abc')).toEqual({ id: 'abc' });
    expect(matchRoute('/datasets/:id', '/datasets/abc/x')).toBeNull();
    expect(matchRoute('/history/:type/:id', '/history/order/1')).toEqual({ type: 'order', id: '1' });
    expect(matchRoute('/', '/')).toEqual({});
    expect(matchRoute('/x/:id', '/x/%E0%A4%A')).toBeNull();
  });
  it('returns only to local paths', () => {
    expect(safeReturnPath('/orders?x=1')).toBe('/orders?x=1');
    expect(safeReturnPath('//evil.example')).toBe('/');
    expect(safeReturnPath('https://evil.example')).toBe('/');
    expect(safeReturnPath('/signin?returnTo=/x')).toBe('/');
    expect(safeReturnPath(null)).toBe('/');
  });
  it('expands permission implications', () => {
    expect([...effectivePermissions(['DATA_MANAGEMENT'])].sort()).toEqual([
      'DATA_MANAGEMENT', 'ORDERS', 'OWNERS_READ', 'USER_ADD', 'USER_SEARCH',
    ]);
    expect(effectivePermissions(null).size).toBe(0);
  });
});
