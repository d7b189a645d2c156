import { describe, expect, it } from 'vitest';
import { diffVersions } from './diff';

describe('diffVersions', () => {
  it('finds nothing between equal copies', () => {
    expect(diffVersions({ a: 1, b: [1, 2] }, { a: 1, b: [1, 2] })).toEqual([]);
  });
  it('reports changed, added and removed fields by path', () => {
    const before = { title: 'Run 1', description: 'x', nested: { url: 'a' } };
    const after = { title: 'Run 2', nested: { url: 'b' }, orcid: '0000' };
    expect(diffVersions(before, after)).toEqual([
      { path: 'description', kind: 'removed', before: 'x' },
      { path: 'nested.url', kind: 'changed', before: 'a', after: 'b' },
      { path: 'orcid', kind: 'added', after: '0000' },
      { path: 'title', kind: 'changed', before: 'Run 1', after: 'Run 2' },
    ]);
  });
  it('treats lists of plain values as sets', () => {
    expect(diffVersions({ tags: ['a', 'b'] }, { tags: ['b', 'c'] })).toEqual([
      { path: 'tags', kind: 'removed', before: 'a' },
      { path: 'tags', kind: 'added', after: 'c' },
    ]);
    expect(diffVersions({ t: ['a', 'b'] }, { t: ['b', 'a'] })).toEqual([
      { path: 't', kind: 'changed', before: ['a', 'b'], after: ['b', 'a'] },
    ]);
  });
  it('compares lists of objects item by item', () => {
    const before = { refs: [{ kind: 'DOI', value: '1' }] };
    const after = { refs: [{ kind: 'DOI', value: '2' }, { kind: 'URL', value: 'u' }] };
    expect(diffVersions(before, after)).toEqual([
      { path: 'refs[0].value', kind: 'changed', before: '1', after: '2' },
      { path: 'refs[1]', kind: 'added', after: { kind: 'URL', value: 'u' } },
    ]);
  });
  it('compares a value that changed type as a whole', () => {
    expect(diffVersions({ a: null }, { a: { b: 1 } })).toEqual([{ path: 'a', kind: 'changed', before: null, after: { b: 1 } }]);
  });
});
