// Differences between two logged copies of an entry, computed in the browser.

/** One difference at a path such as `crossReferences[0].url` or `tagsUser`. */
export interface Change {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPrimitive(v: unknown): v is string | number | boolean | null {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function join(base: string, key: string): string {
  return base ? `${base}.${key}` : key;
}

/**
 * The fields added, removed and changed from `before` to `after`. Objects are compared field by field;
 * lists of plain values as sets (each added or removed value listed); other lists item by item.
 */
export function diffVersions(before: unknown, after: unknown, path = ''): Change[] {
  if (same(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => {
      const p = join(path, k);
      if (!(k in before)) return [{ path: p, kind: 'added' as const, after: after[k] }];
      if (!(k in after)) return [{ path: p, kind: 'removed' as const, before: before[k] }];
      return diffVersions(before[k], after[k], p);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (before.every(isPrimitive) && after.every(isPrimitive)) {
      const removed = before.filter((v) => !after.some((w) => same(v, w)));
      const added = after.filter((v) => !before.some((w) => same(v, w)));
      if (added.length === 0 && removed.length === 0) return [{ path, kind: 'changed', before, after }];
      return [
        ...removed.map((v) => ({ path, kind: 'removed' as const, before: v })),
        ...added.map((v) => ({ path, kind: 'added' as const, after: v })),
      ];
    }
    const out: Change[] = [];
    const n = Math.max(before.length, after.length);
    for (let i = 0; i < n; i++) {
      const p = `${path}[${i}]`;
      if (i >= before.length) out.push({ path: p, kind: 'added', after: after[i] });
      else if (i >= after.length) out.push({ path: p, kind: 'removed', before: before[i] });
      else out.push(...diffVersions(before[i], after[i], p));
    }
    return out;
  }
  if (before === undefined) return [{ path, kind: 'added', after }];
  if (after === undefined) return [{ path, kind: 'removed', before }];
  return [{ path, kind: 'changed', before, after }];
}

/** A short, readable rendering of a logged value. */
export function showValue(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
