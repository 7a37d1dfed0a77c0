import { newId } from '../../../src/domain/ids.js';

/** The property the indexes rely on: ids are standard UUIDs whose text order is their creation order. */
test('newId gives RFC 9562 version-7 UUIDs in creation order, also within one millisecond', () => {
  const ids = Array.from({ length: 5000 }, () => newId());
  for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort()).toEqual(ids);
});

test('the leading 48 bits are the creation time in milliseconds', () => {
  const before = Date.now();
  const id = newId();
  const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
  expect(ms).toBeGreaterThanOrEqual(before);
  expect(ms).toBeLessThanOrEqual(Date.now());
});
