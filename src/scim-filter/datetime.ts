/**
 * xsd:dateTime parsing for filter values on `dateTime` attributes (RFC 7643 §2.3.5). rolegate
 * stores times as integer epoch milliseconds, so the value is converted once, here, and the
 * database compares numbers.
 */

// YYYY-MM-DD[Thh:mm[:ss[.fraction]][Z|±hh[:]mm]]. Bounded digit counts except the fraction,
// which is a single `\d+` after a literal dot: no ambiguous repetition, no backtracking blow-up.
// A space may stand for '+' in the offset: an unencoded '+' in a query string decodes to ' '.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:([Zz])|([+\- ])(\d{2}):?(\d{2}))?)?$/;

const MS_PER_DAY = 86_400_000;

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days between 1970-01-01 and the given proleptic Gregorian date (month 1-12). */
function daysSinceEpoch(year: number, month: number, day: number): number {
  // Count from March so the leap day is the last day of the (shifted) year.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shiftedMonth = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * shiftedMonth + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * Parses an xsd:dateTime (RFC 7643 §2.3.5) into epoch milliseconds.
 *
 * Accepts any number of fraction digits (Entra sends 7: `2021-09-23T19:35:41.8420572Z`),
 * truncated to milliseconds; offsets `±hh:mm`; `Z`. Lenient: a missing zone means UTC, missing
 * seconds mean `:00`, a bare date means midnight UTC, and `hh:mm:ss 02:00` (a URL-decoded '+')
 * is read as `+02:00`.
 *
 * @returns epoch milliseconds, or `undefined` when the text is not a valid date-time.
 */
export function parseDateTime(text: string): number | undefined {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return undefined;
  const [, ys, mos, ds, hs = '0', mis = '0', ss = '0', frac = '', , sign, ohs = '0', oms = '0'] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs);
  const minute = Number(mis);
  const second = Number(ss);
  const offH = Number(ohs);
  const offM = Number(oms);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offH > 14 || offM > 59) return undefined;
  const millis = Number(frac.slice(0, 3).padEnd(3, '0'));
  const offset = (sign === '-' ? -1 : 1) * (offH * 60 + offM) * 60_000;
  return daysSinceEpoch(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millis - offset;
}
