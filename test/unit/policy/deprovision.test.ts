import { describe, expect, it } from '@jest/globals';
import { blocksRemoval, CONTENT_TYPES, evaluateRemoval, type ContentType } from '../../../src/policy/deprovision.js';

const item = (type: ContentType, id = `${type}-1`) => ({ id, type, name: `My ${type}` });

describe('evaluateRemoval', () => {
  it('R-REST-23 SPEC-3 the catalogue lists the ten content types', () => {
    expect([...CONTENT_TYPES].sort()).toEqual(['collection', 'dataAlert', 'datasource', 'flow', 'metric', 'project',
      'subscription', 'view', 'virtualConnection', 'workbook']);
  });

  const blocking = CONTENT_TYPES.filter((t) => t !== 'subscription').map((t) => [t] as [ContentType]);
  it.each(blocking)('R-REST-21/22/23 owning a %s retains the owner as Unlicensed', (type) => {
    expect(blocksRemoval(type)).toBe(true);
    const d = evaluateRemoval({ owned: [item(type)] });
    expect(d.value).toEqual({ action: 'retain', blocking: [item(type)], nonBlocking: [] });
    expect(d.reasons).toEqual(['CONTENT_OWNER_RETAINED']);
  });

  it('R-REST-21/25 subscriptions do not block removal (they go with the membership)', () => {
    expect(blocksRemoval('subscription')).toBe(false);
    const d = evaluateRemoval({ owned: [item('subscription', 's1'), item('subscription', 's2')] });
    expect(d.value).toEqual({ action: 'remove', blocking: [], nonBlocking: [item('subscription', 's1'), item('subscription', 's2')] });
    expect(d.reasons).toEqual(['MEMBERSHIP_REMOVED']);
  });

  const table: [string, ContentType[], 'remove' | 'retain', string[]][] = [
    ['owns nothing', [], 'remove', []],
    ['a subscription and a workbook', ['subscription', 'workbook'], 'retain', ['workbook-1']],
    ['a project (projects count as content)', ['project'], 'retain', ['project-1']],
    ['several blocking items are all listed', ['datasource', 'subscription', 'flow', 'metric'], 'retain', ['datasource-1', 'flow-1', 'metric-1']],
  ];
  it.each(table)('R-REST-21/22/26/27 %s', (_n, types, action, blockingIds) => {
    const d = evaluateRemoval({ owned: types.map((t) => item(t)) });
    expect(d.value.action).toBe(action);
    expect(d.value.blocking.map((b) => b.id)).toEqual(blockingIds);
    expect(d.reasons).toEqual([action === 'retain' ? 'CONTENT_OWNER_RETAINED' : 'MEMBERSHIP_REMOVED']);
  });

  it('R-REST-28 per site: removed where nothing is owned, retained where content is owned', () => {
    const sites = { a: [item('workbook')], b: [], c: [item('subscription')] };
    const actions = Object.fromEntries(Object.entries(sites).map(([s, owned]) => [s, evaluateRemoval({ owned }).value.action]));
    expect(actions).toEqual({ a: 'retain', b: 'remove', c: 'remove' });
  });

  it('R-REST-21 an unknown type read from storage blocks (fail safe)', () => {
    expect(blocksRemoval('lens' as ContentType)).toBe(true);
  });
});
