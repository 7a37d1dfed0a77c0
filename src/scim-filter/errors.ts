/**
 * Errors raised by the SCIM filter module. They carry the RFC 7644 §3.12 `scimType` so the HTTP
 * layer can answer 400 with the right SCIM error body without knowing this module's internals.
 */

/**
 * A filter (RFC 7644 §3.4.2.2) or PATCH path (RFC 7644 §3.5.2) that is malformed, too long, too
 * deep, or names an attribute/operator the server cannot evaluate. Always maps to HTTP 400 with
 * `scimType: "invalidFilter"`.
 */
export class FilterError extends Error {
  /** RFC 7644 §3.12 error type. */
  readonly scimType = 'invalidFilter' as const;
  /** HTTP status the error maps to. */
  readonly status = 400 as const;
  /** 0-based character offset in the filter text, when the error has one. */
  readonly position: number | undefined;

  constructor(message: string, position?: number) {
    super(position === undefined ? message : `${message} at position ${position}`);
    this.name = 'FilterError';
    this.position = position;
  }
}

/**
 * A `sortBy` value (RFC 7644 §3.4.2.3) naming an attribute the server cannot sort on. Maps to
 * HTTP 400 with `scimType: "invalidValue"`.
 */
export class SortError extends Error {
  /** RFC 7644 §3.12 error type. */
  readonly scimType = 'invalidValue' as const;
  /** HTTP status the error maps to. */
  readonly status = 400 as const;

  constructor(message: string) {
    super(message);
    this.name = 'SortError';
  }
}
