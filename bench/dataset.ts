/**
 * The bench data set: deterministic (index → user), so every run and every size sees the same
 * users without a cache file. User i is `u<i>@bench.test`.
 */

export const URN = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  tableau: 'urn:ietf:params:scim:schemas:extension:tableau:3.0:User',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  bulkRequest: 'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
} as const;

const GIVEN = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim', 'Margaret', 'John', 'Hedy', 'Dennis', 'Leslie', 'Shafi'];
const FAMILY = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Lee', 'Hamilton', 'McCarthy', 'Lamarr', 'Ritchie', 'Lamport', 'Goldwasser'];

export const preloadUserName = (i: number) => `u${i}@bench.test`;

export function userResource(userName: string, i: number): Record<string, unknown> {
  return {
    schemas: [URN.user, URN.tableau],
    userName,
    name: { givenName: GIVEN[i % GIVEN.length], familyName: FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length] },
    emails: [{ value: userName, type: 'work', primary: true }],
    active: true,
    [URN.tableau]: { siteRoles: [{ value: 'Viewer' }] },
  };
}

/** A BulkRequest creating the given users; bulkIds are `b<index>`. */
export function bulkCreateUsers(users: Array<{ userName: string; i: number }>): string {
  return JSON.stringify({
    schemas: [URN.bulkRequest],
    Operations: users.map((u) => ({ method: 'POST', path: '/Users', bulkId: `b${u.i}`, data: userResource(u.userName, u.i) })),
  });
}

export function bulkCreateGroups(names: string[]): string {
  return JSON.stringify({
    schemas: [URN.bulkRequest],
    Operations: names.map((displayName, k) => ({ method: 'POST', path: '/Groups', bulkId: `g${k}`, data: { schemas: [URN.group], displayName } })),
  });
}

export function addMembersPatch(userIds: string[]): string {
  return JSON.stringify({
    schemas: [URN.patchOp],
    Operations: [{ op: 'add', path: 'members', value: userIds.map((value) => ({ value })) }],
  });
}

export const DEACTIVATE_PATCH = JSON.stringify({
  schemas: [URN.patchOp],
  Operations: [{ op: 'replace', path: 'active', value: false }],
});

/** mulberry32: a tiny seeded PRNG, so that the "random" users are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** A cheap permutation of [0, n): k → (a·k + b) mod n with gcd(a, n) = 1, so consecutive k hit scattered rows. */
export function permutation(n: number, seed: number): (k: number) => number {
  if (n <= 1) return () => 0;
  let a = Math.floor(n * 0.6180339887) | 1;
  while (gcd(a, n) !== 1) a++;
  const b = Math.floor(rng(seed)() * n);
  return (k) => (a * (k % n) + b) % n;
}
