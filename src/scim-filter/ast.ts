/**
 * The SCIM filter AST (RFC 7644 §3.4.2.2). Produced by `parseFilter`, consumed by the SQL and
 * Mongo translators and by the in-memory evaluator used in tests. Attribute names are kept as
 * the client wrote them; resolution (case-insensitive, URN prefixes) is the translators' job.
 */
export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type FilterValue = string | number | boolean | null;

/** `urn:…:User:name.givenName` → {schema:"urn:…:User", attr:"name", sub:"givenName"} */
export interface AttrPath {
  /** Full schema URN when the client used one (as written), else undefined. */
  schema?: string;
  attr: string;
  sub?: string;
}

export type FilterNode =
  | { kind: 'and'; items: FilterNode[] }
  | { kind: 'or'; items: FilterNode[] }
  | { kind: 'not'; item: FilterNode }
  /**
   * `raw` is the token exactly as written when the value was not quoted (lenient
   * `externalId eq 00123`, `active eq True`): translators compare string attributes against it
   * so an unquoted `1e3` or `0123` is not turned into a different string via a number.
   */
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: FilterValue; raw?: string }
  | { kind: 'present'; path: AttrPath }
  /**
   * `emails[type eq "work" and value co "@x"]`; the inner filter's paths are sub-attributes of
   * `attr` (their `attr` field holds the sub-attribute name). Entra's
   * `emails[type eq "work"].value eq "x"` parses as a valuePath whose filter is the bracket
   * filter AND-ed with the trailing comparison.
   */
  | { kind: 'valuePath'; attr: AttrPath; filter: FilterNode };
