import { describe, expect, it } from 'vitest';
import {
  displayTable,
  emptyQuery,
  queryInput,
  queryToSearch,
  searchToQuery,
  validateQuery,
  type Column,
  type StatsQuery,
} from './stats';

const columns: Column[] = [
  { name: 'school', role: 'DIMENSION', categories: ['A', 'B'] },
  { name: 'sex', role: 'DIMENSION', categories: ['F', 'M'] },
  { name: 'wave', role: 'DIMENSION', categories: ['1', '2'] },
  { name: 'phq9_1', role: 'MEASURE', categories: [] },
];

describe('statistics query', () => {
  it('round-trips through the URL', () => {
    const q: StatsQuery = {
      ...emptyQuery('frequency'),
      groupBy: ['school'],
      valueColumn: 'sex',
      filters: [{ column: 'wave', values: ['1', '2'] }],
    };
    const s = queryToSearch(q);
    expect(s).toBe('kind=frequency&by=school&col=sex&f=wave%3A1%7C2');
    expect(searchToQuery(s)).toEqual(q);
    const w: StatsQuery = { ...emptyQuery('waveChange'), valueColumns: ['phq9_1'], fromWave: '1', toWave: '2' };
    expect(searchToQuery(queryToSearch(w))).toEqual(w);
  });
  it('drops unknown kinds and malformed filters', () => {
    const q = searchToQuery('kind=evil&f=nocolon&f=:x&f=school:');
    expect(q.kind).toBe('frequency');
    expect(q.filters).toEqual([]);
  });
  it('refuses columns and categories not allowed', () => {
    const q: StatsQuery = { ...emptyQuery('frequency'), groupBy: ['uid'], filters: [{ column: 'school', values: ['Z'] }] };
    expect(validateQuery(q, columns)).toEqual(['“uid” cannot be grouped by.', '“Z” is not a category of school.']);
    expect(validateQuery({ ...emptyQuery('means') }, columns)).toEqual(['Choose at least one measure.']);
    expect(validateQuery({ ...emptyQuery('waveChange'), valueColumns: ['phq9_1'], fromWave: '1', toWave: '1' }, columns)).toEqual([
      'The two waves must differ.',
    ]);
    expect(validateQuery({ ...emptyQuery('frequency'), groupBy: ['school'], valueColumn: 'sex' }, columns)).toEqual([]);
  });
  it('builds the input of each kind', () => {
    expect(queryInput({ ...emptyQuery('frequency'), groupBy: ['school'], filters: [{ column: 'sex', values: [] }] })).toEqual({
      groupBy: ['school'],
      valueColumn: null,
      filters: [],
    });
    expect(queryInput({ ...emptyQuery('waveChange'), valueColumns: ['phq9_1'], fromWave: '1', toWave: '2' })).toEqual({
      groupBy: [],
      valueColumns: ['phq9_1'],
      filters: [],
      fromWave: '1',
      toWave: '2',
    });
  });
  it('marks suppressed cells with one symbol and formats counts and means', () => {
    const t = {
      groupColumns: ['school'],
      columns: ['phq9_1', 'phq9_1_n'],
      rows: [
        { groups: ['A'], cells: [1.23456, 12] },
        { groups: ['B'], cells: [null, null] },
      ],
      suppressed: [{ row: 1, column: 'phq9_1' }, { row: 1, column: 'phq9_1_n' }],
    };
    expect(displayTable(t, 'means')).toEqual({
      header: ['school', 'phq9_1', 'phq9_1_n'],
      rows: [
        ['A', '1.23', '12'],
        ['B', '*', '*'],
      ],
    });
  });
});
