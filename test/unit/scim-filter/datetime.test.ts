/** parseDateTime (RFC 7643 §2.3.5 xsd:dateTime → epoch ms). */
import { parseDateTime } from '../../../src/scim-filter/datetime.js';
import { prng } from './fixtures.js';

describe('parseDateTime', () => {
  it.each<[string, string]>([
    ['2021-09-23T19:35:41.8420572Z', '2021-09-23T19:35:41.842Z'],
    ['2021-09-23T19:35:41.8429999Z', '2021-09-23T19:35:41.842Z'], // truncated, not rounded
    ['2015-10-10T14:38:21.8617979-07:00', '2015-10-10T21:38:21.861Z'],
    ['2015-10-10T14:38:21+05:30', '2015-10-10T09:08:21.000Z'],
    ['2015-10-10T14:38:21+0530', '2015-10-10T09:08:21.000Z'],
    ['2015-10-10T14:38:21.5 05:30', '2015-10-10T09:08:21.500Z'],
    ['2011-05-13T04:42:34Z', '2011-05-13T04:42:34.000Z'],
    ['2011-05-13t04:42:34z', '2011-05-13T04:42:34.000Z'],
    ['2011-05-13T04:42:34', '2011-05-13T04:42:34.000Z'],
    ['2011-05-13T04:42', '2011-05-13T04:42:00.000Z'],
    ['2011-05-13', '2011-05-13T00:00:00.000Z'],
    ['2024-02-29T23:59:59.999+14:00', '2024-02-29T09:59:59.999Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['0001-01-03T00:00:00.0000000Z', '0001-01-03T00:00:00.000Z'],
    ['9999-12-31T23:59:59.9999999Z', '9999-12-31T23:59:59.999Z'],
    ['1969-12-31T23:59:59.5Z', '1969-12-31T23:59:59.500Z'],
  ])('%s', (text, iso) => {
    const expected = new Date(0);
    const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{3})Z$/.exec(iso)!;
    expected.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    expected.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), Number(m[7]));
    expect(parseDateTime(text)).toBe(expected.getTime());
  });

  it.each([
    '', 'yesterday', '2021', '2021-13-01T00:00:00Z', '2021-02-29T00:00:00Z', '1900-02-29T00:00:00Z',
    '2021-04-31T00:00:00Z', '2021-01-01T24:00:00Z', '2021-01-01T00:60:00Z', '2021-01-01T00:00:60Z',
    '2021-01-01T00:00:00+15:00', '2021-01-01T00:00:00+01:60', '0000-01-01T00:00:00Z', '21-01-01T00:00:00Z',
    '2021-01-01T00:00:00.Z', '2021-01-01 00:00:00Z', '2021-01-01 05:00', '2021-01-01T00:00:00ZZ', '+2021-01-01T00:00:00Z',
  ])('rejects %j', (text) => {
    expect(parseDateTime(text)).toBeUndefined();
  });

  it('agrees with Date for random instants and offsets', () => {
    const rnd = prng(99);
    for (let i = 0; i < 2000; i++) {
      const ms = Math.floor((rnd() - 0.5) * 2 * 8e12); // ~1716..2223
      const offsetMin = (Math.floor(rnd() * 57) - 28) * 30; // -14:00..+14:00
      const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 23);
      const sign = offsetMin < 0 ? '-' : '+';
      const abs = Math.abs(offsetMin);
      const text = `${local}${String(Math.floor(rnd() * 10_000)).padStart(4, '0')}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
      expect(parseDateTime(text)).toBe(ms);
    }
  });
});
