// The statistics query builder's state: to and from the URL, validated against `statsColumns`, and turned
// into the input of frequencyTable / meansTable / waveChange. Also the table's display form.

/** The three kinds of table. */
export type TableKind = 'frequency' | 'means' | 'waveChange';

/** A membership filter. */
export interface Filter {
  column: string;
  values: string[];
}

/** What the builder holds; the URL holds the same. */
export interface StatsQuery {
  kind: TableKind;
  groupBy: string[];
  valueColumn: string | null;
  valueColumns: string[];
  filters: Filter[];
  fromWave: string;
  toWave: string;
}

/** An allowed column, as `statsColumns` gives it. */
export interface Column {
  name: string;
  role: 'DIMENSION' | 'MEASURE';
  categories: string[];
}

/** The symbol marking a suppressed cell (explained by the legend). */
export const SUPPRESSED = '*';

/** An empty query of a kind. */
export function emptyQuery(kind: TableKind = 'frequency'): StatsQuery {
  return { kind, groupBy: [], valueColumn: null, valueColumns: [], filters: [], fromWave: '', toWave: '' };
}

const KINDS: TableKind[] = ['frequency', 'means', 'waveChange'];

/** The query as URL search parameters (stable order, so equal queries give equal links). */
export function queryToSearch(q: StatsQuery): string {
  const p = new URLSearchParams();
  p.set('kind', q.kind);
  for (const g of q.groupBy) p.append('by', g);
  if (q.kind === 'frequency' && q.valueColumn) p.set('col', q.valueColumn);
  if (q.kind !== 'frequency') for (const m of q.valueColumns) p.append('m', m);
  for (const f of q.filters) if (f.values.length) p.append('f', `${f.column}:${f.values.join('|')}`);
  if (q.kind === 'waveChange') {
    if (q.fromWave) p.set('from', q.fromWave);
    if (q.toWave) p.set('to', q.toWave);
  }
  return p.toString();
}

/** The query from URL search parameters; unknown parts are dropped. */
export function searchToQuery(search: string): StatsQuery {
  const p = new URLSearchParams(search);
  const kindParam = p.get('kind') as TableKind | null;
  const kind = kindParam && KINDS.includes(kindParam) ? kindParam : 'frequency';
  const filters: Filter[] = [];
  for (const f of p.getAll('f')) {
    const i = f.indexOf(':');
    if (i <= 0) continue;
    const values = f.slice(i + 1).split('|').filter(Boolean);
    if (values.length) filters.push({ column: f.slice(0, i), values });
  }
  return {
    kind,
    groupBy: p.getAll('by'),
    valueColumn: p.get('col'),
    valueColumns: p.getAll('m'),
    filters,
    fromWave: p.get('from') ?? '',
    toWave: p.get('to') ?? '',
  };
}

/** Problems with a query, in words; empty when it can be sent. */
export function validateQuery(q: StatsQuery, columns: Column[]): string[] {
  const dims = new Map(columns.filter((c) => c.role === 'DIMENSION').map((c) => [c.name, c]));
  const measures = new Set(columns.filter((c) => c.role === 'MEASURE').map((c) => c.name));
  const problems: string[] = [];
  for (const g of q.groupBy) if (!dims.has(g)) problems.push(`“${g}” cannot be grouped by.`);
  if (new Set(q.groupBy).size !== q.groupBy.length) problems.push('A column is grouped by twice.');
  if (q.kind === 'frequency' && q.valueColumn) {
    if (!dims.has(q.valueColumn)) problems.push(`“${q.valueColumn}” cannot be a column dimension.`);
    if (q.groupBy.includes(q.valueColumn)) problems.push(`“${q.valueColumn}” is already a row dimension.`);
  }
  if (q.kind !== 'frequency') {
    if (q.valueColumns.length === 0) problems.push('Choose at least one measure.');
    for (const m of q.valueColumns) if (!measures.has(m)) problems.push(`“${m}” is not a measure.`);
  }
  for (const f of q.filters) {
    const d = dims.get(f.column);
    if (!d) problems.push(`“${f.column}” cannot be filtered on.`);
    else for (const v of f.values) if (!d.categories.includes(v)) problems.push(`“${v}” is not a category of ${f.column}.`);
  }
  if (q.kind === 'waveChange') {
    if (!q.fromWave || !q.toWave) problems.push('Choose the baseline and follow-up waves.');
    else if (q.fromWave === q.toWave) problems.push('The two waves must differ.');
    if (q.groupBy.includes('wave')) problems.push('Wave change cannot be grouped by wave.');
  }
  return problems;
}

/** The GraphQL input for the query's kind. */
export function queryInput(q: StatsQuery) {
  const filters = q.filters.filter((f) => f.values.length).map((f) => ({ column: f.column, values: f.values }));
  switch (q.kind) {
    case 'frequency':
      return { groupBy: q.groupBy, valueColumn: q.valueColumn || null, filters };
    case 'means':
      return { groupBy: q.groupBy, valueColumns: q.valueColumns, filters };
    case 'waveChange':
      return { groupBy: q.groupBy, valueColumns: q.valueColumns, filters, fromWave: q.fromWave, toWave: q.toWave };
  }
}

/** A table as the API returns it. */
export interface Table {
  groupColumns: string[];
  columns: string[];
  rows: { groups: string[]; cells: (number | null)[] }[];
  suppressed: { row: number; column: string }[];
}

/** One cell as shown: a formatted number, the suppression mark, or blank (no data). */
export function formatCell(t: Table, row: number, col: number, kind: TableKind): string {
  const name = t.columns[col];
  if (t.suppressed.some((s) => s.row === row && s.column === name)) return SUPPRESSED;
  const v = t.rows[row]?.cells[col];
  if (v === null || v === undefined) return '';
  const isCount = kind === 'frequency' || name === 'n' || name.endsWith('_n');
  return isCount ? String(Math.round(v)) : v.toFixed(2);
}

/** The table as shown: header and rows of display strings (what the CSV download holds). */
export function displayTable(t: Table, kind: TableKind): { header: string[]; rows: string[][] } {
  return {
    header: [...t.groupColumns, ...t.columns],
    rows: t.rows.map((r, i) => [...r.groups, ...t.columns.map((_, c) => formatCell(t, i, c, kind))]),
  };
}
