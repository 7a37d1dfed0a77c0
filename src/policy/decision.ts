/** What every policy returns: the outcome plus the reason codes that explain it (SPEC §5.9). */
export interface Decision<T> {
  readonly value: T;
  readonly reasons: readonly string[];
}

export const decide = <T>(value: T, ...reasons: string[]): Decision<T> => ({ value, reasons });
