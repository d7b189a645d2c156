// Permissions with their implications, as the API defines them (README: DATA_MANAGEMENT ⇒ ORDERS,
// OWNERS_READ; ORDERS ⇒ USER_ADD, USER_SEARCH; USER_MANAGEMENT ⇒ USER_ADD, USER_SEARCH). Used only to
// decide what to offer; the API decides what is allowed.

const IMPLIES: Record<string, string[]> = {
  DATA_MANAGEMENT: ['ORDERS', 'OWNERS_READ'],
  ORDERS: ['USER_ADD', 'USER_SEARCH'],
  USER_MANAGEMENT: ['USER_ADD', 'USER_SEARCH'],
};

/** Granted permissions plus everything they imply (transitively). */
export function effectivePermissions(granted: readonly string[] | null | undefined): Set<string> {
  const out = new Set<string>();
  const todo = [...(granted ?? [])];
  while (todo.length) {
    const p = todo.pop() as string;
    if (out.has(p)) continue;
    out.add(p);
    todo.push(...(IMPLIES[p] ?? []));
  }
  return out;
}
