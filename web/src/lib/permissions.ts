// Permissions with their implications, as the API defines them (README: DATA_MANAGEMENT ⇒ ORDERS,
// OWNERS_READ; ORDERS ⇒ USER_ADD, USER_SEARCH; USER_MANAGEMENT ⇒ USER_ADD, USER_SEARCH). Used only to
// decide what to offer; the API decides what is allowed.
import type { Permission } from '../gql/graphql';

export type { Permission };

/** Every permission an admin can grant, in display order. */
export const PERMISSIONS = [
  'DATA_MANAGEMENT',
  'ORDERS',
  'OWNERS_READ',
  'STATS_READ',
  'USER_ADD',
  'USER_MANAGEMENT',
  'USER_SEARCH',
] as const satisfies readonly Permission[];

// The type check fails when schema.graphql gains a permission that the list above does not offer.
type Unlisted = Exclude<Permission, (typeof PERMISSIONS)[number]>;
const everyPermissionListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyPermissionListed;

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
