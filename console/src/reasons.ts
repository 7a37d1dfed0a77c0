/**
 * Reason codes explained in words. The texts come from the server (`reasons.json`, generated
 * from `src/policy/reasons.ts`), so the console never keeps its own copy of the catalogue.
 * The shapes mirror `codeOf()` there: bare codes, `ROLE_MAPPING_RULE_<n>`, `<CODE>:<detail>`,
 * plus `HTTP_<status>` on request entries.
 */

interface Catalogue { reasons: Record<string, string>; events: string[] }

let catalogue: Catalogue = { reasons: {}, events: [] };

/** Loads the catalogue once (before the first page renders). */
export async function loadCatalogue(): Promise<void> {
  const res = await fetch(new URL('reasons.json', document.baseURI), { cache: 'no-store' });
  if (res.ok) catalogue = (await res.json()) as Catalogue;
}

/** Every audit event name (for the event filter). */
export const eventNames = (): string[] => catalogue.events;

/** Every catalogue code (for the reason filter's suggestions). */
export const reasonCodes = (): string[] => Object.keys(catalogue.reasons).filter((c) => !c.endsWith('_n') && !c.endsWith('_nnn'));

/** One-line English explanation of a reason string; a fallback sentence when it is unknown. */
export function explain(reason: string): string {
  const r = catalogue.reasons;
  const rule = /^ROLE_MAPPING_RULE_(\d+)$/.exec(reason);
  if (rule && r.ROLE_MAPPING_RULE_n) return `${r.ROLE_MAPPING_RULE_n} (here: rule ${rule[1]})`;
  const http = /^HTTP_(\d{3})$/.exec(reason);
  if (http && r.HTTP_nnn) return `${r.HTTP_nnn} (here: ${http[1]})`;
  const colon = reason.indexOf(':');
  const bare = colon >= 0 ? reason.slice(0, colon) : reason;
  const text = Object.hasOwn(r, bare) ? r[bare] : undefined;
  if (text === undefined) return 'This code is not in the reason catalogue.';
  return colon >= 0 ? `${text} (about: ${reason.slice(colon + 1)})` : text;
}
