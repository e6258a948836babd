import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Context, ContextError, humanJoin, KeyNotInContext, MergeError, ReservedKeyError } from './context';
import { PyDate, PyFloat } from '../formats/python/value';

/** DVC's `dvc/parsing/context.py`: lookups, never-overwriting merges, reserved `item`/`key`. */

function contextWith(data: Record<string, unknown>, source = 'params.yaml'): Context {
  const context = new Context();
  context.mergeUpdate(data, source);
  return context;
}

describe('select', () => {
  const context = contextWith({
    dict: { num: 5, nested: { float: new PyFloat(3), string: 'bar' } },
    lst: [{ f: 'f' }, { fo: 'fo' }, { foo: ['f', 'o', 'o'] }],
    flag: false,
    none: null,
  });

  test('dotted paths into maps and lists', () => {
    assert.equal(context.select('dict.num'), 5);
    assert.deepEqual(context.select('dict.nested.float'), new PyFloat(3));
    assert.equal(context.select('lst.0.f'), 'f');
    assert.equal(context.select('lst.2.foo.1'), 'o');
    assert.deepEqual(context.select('lst.1'), { fo: 'fo' });
    assert.equal(context.select('flag'), false);
    assert.equal(context.select('none'), null);
  });

  test('segments are stripped; list indexes go through int()', () => {
    assert.equal(context.select(' dict . num '), 5);
    assert.equal(context.select('lst. 0 .f'), 'f');
    assert.equal(context.select('lst.01.fo'), 'fo');
    assert.equal(context.select('lst.+1.fo'), 'fo');
    assert.deepEqual(context.select('lst.-1'), { foo: ['f', 'o', 'o'] });
    assert.equal(context.select('lst.-3.f'), 'f');
  });

  test('a miss names the whole key as written', () => {
    for (const key of ['missing', 'dict.foobar', 'lst.3', 'lst.-4', 'lst.x', 'dict.num.deeper', ' dict.missing']) {
      assert.throws(() => context.select(key), (error: unknown) => {
        assert.ok(error instanceof KeyNotInContext);
        assert.equal((error as Error).message, `Could not find '${key}'`);
        return true;
      });
    }
  });

  test('has() looks at top-level keys only', () => {
    assert.equal(context.has('dict'), true);
    assert.equal(context.has('num'), false);
  });
});

describe('merging never overwrites', () => {
  test('maps merge recursively', () => {
    const context = contextWith({ Train: { us: { lr: 10 } } });
    context.mergeUpdate({ Train: { us: { layers: 100 } } }, 'params2.yaml');
    assert.deepEqual(context.data, { Train: { us: { lr: 10, layers: 100 } } });
  });

  test('a second leaf names its path and both sources', () => {
    const context = contextWith({ models: { bar: 'bar', foo: 'foo' } });
    assert.throws(() => context.mergeUpdate({ models: { bar: 'x' } }, 'vars[0]'), (error: unknown) => {
      assert.ok(error instanceof MergeError);
      assert.equal(
        (error as Error).message,
        "cannot redefine 'models.bar' from 'vars[0]' as it already exists in 'params.yaml'",
      );
      return true;
    });
  });

  test('the older source is the one that defined the leaf', () => {
    const context = contextWith({ a: { x: 1 } }, 'vars[0]');
    context.mergeUpdate({ a: { y: 2 } }, 'vars[1]');
    assert.throws(() => context.mergeUpdate({ a: { y: 3 } }, 'vars[2]'), {
      message: "cannot redefine 'a.y' from 'vars[2]' as it already exists in 'vars[1]'",
    });
  });

  test('lists are never merged; a map never replaces a scalar or the reverse', () => {
    const context = contextWith({ lst: [1, 2], scalar: 1, map: { a: 1 } }, 'vars[0]');
    assert.throws(() => context.mergeUpdate({ lst: [3] }, 'vars[1]'), {
      message: "cannot redefine 'lst' from 'vars[1]' as it already exists in 'vars[0]'",
    });
    assert.throws(() => context.mergeUpdate({ scalar: { a: 1 } }, 'vars[1]'), {
      message: "cannot redefine 'scalar' from 'vars[1]' as it already exists in 'vars[0]'",
    });
    assert.throws(() => context.mergeUpdate({ map: 'x' }, 'vars[1]'), {
      message: "cannot redefine 'map' from 'vars[1]' as it already exists in 'vars[0]'",
    });
    assert.deepEqual(context.data, { lst: [1, 2], scalar: 1, map: { a: 1 } });
  });

  test('a null leaf still counts as defined', () => {
    const context = contextWith({ a: null }, 'vars[0]');
    assert.throws(() => context.mergeUpdate({ a: 1 }, 'vars[1]'), {
      message: "cannot redefine 'a' from 'vars[1]' as it already exists in 'vars[0]'",
    });
  });

  test('the merged data is a copy of the update', () => {
    const update = { a: { b: 1 } };
    const context = contextWith(update);
    context.mergeUpdate({ a: { c: 2 } }, 'other.yaml');
    assert.deepEqual(update, { a: { b: 1 } });
  });
});

describe('values a context cannot hold', () => {
  test("a date is refused with its source and path (DVC's TypeError text)", () => {
    const context = new Context();
    assert.throws(() => context.mergeUpdate({ when: new PyDate('2020-01-01') }, 'params.yaml'), (error: unknown) => {
      assert.ok(error instanceof ContextError);
      assert.equal((error as Error).message, "Unsupported value of type 'date' in 'params.yaml:when'");
      return true;
    });
    assert.throws(() => context.mergeUpdate({ a: { dates: [1, new PyDate('2020-01-01')] } }, 'vars[0]'), {
      message: "Unsupported value of type 'date' in 'vars[0]:a.dates.1'",
    });
    assert.deepEqual(context.data, {});
  });
});

describe('temporary item/key and reserved keys', () => {
  test('values are set for the call and then restored or removed', () => {
    const context = contextWith({ item: 'global', other: 1 });
    const seen = context.withTemporary({ item: 'x', key: 'k' }, () => [context.select('item'), context.select('key')]);
    assert.deepEqual(seen, ['x', 'k']);
    assert.deepEqual(context.data, { item: 'global', other: 1 });
  });

  test('values are restored when the call throws', () => {
    const context = new Context();
    assert.throws(() =>
      context.withTemporary({ item: 1 }, () => {
        throw new Error('boom');
      }),
    );
    assert.deepEqual(context.data, {});
    assert.doesNotThrow(() => context.mergeUpdate({ item: 2 }, 'vars[0]'));
  });

  test('merging a reserved key is refused, keys named in reservation order', () => {
    const context = new Context();
    context.withTemporary({ item: 1, key: 'a' }, () => {
      assert.throws(() => context.mergeUpdate({ item: 5 }, 'vars[0]'), (error: unknown) => {
        assert.ok(error instanceof ReservedKeyError);
        assert.equal((error as Error).message, 'attempted to modify reserved key item');
        return true;
      });
      assert.throws(() => context.mergeUpdate({ key: 5, item: 10 }, 'vars[0]'), {
        message: 'attempted to modify reserved keys item and key',
      });
      assert.throws(() => context.mergeUpdate({ key: 5 }, 'p.yaml', 'p.yaml'), {
        message: "attempted to modify reserved key key in 'p.yaml'",
      });
    });
    context.withTemporary({ key: 'a', item: 1 }, () => {
      assert.throws(() => context.mergeUpdate({ item: 10, key: 5 }, 'vars[0]'), {
        message: 'attempted to modify reserved keys key and item',
      });
    });
  });

  test('a clone keeps reservations, data and sources, and is independent', () => {
    const context = contextWith({ a: { b: 1 } }, 'params.yaml');
    const clone = context.clone();
    clone.mergeUpdate({ a: { c: 2 } }, 'vars[0]');
    assert.deepEqual(context.data, { a: { b: 1 } });
    assert.deepEqual(clone.data, { a: { b: 1, c: 2 } });
    assert.throws(() => clone.mergeUpdate({ a: { b: 3 } }, 'stage.vars[0]'), {
      message: "cannot redefine 'a.b' from 'stage.vars[0]' as it already exists in 'params.yaml'",
    });
    context.withTemporary({ item: 1 }, () => {
      const inner = context.clone();
      assert.throws(() => inner.mergeUpdate({ item: 2 }, 'vars[0]'), { message: 'attempted to modify reserved key item' });
    });
  });
});

describe('humanize.join', () => {
  test('joins with commas and a final "and"', () => {
    assert.equal(humanJoin([]), '');
    assert.equal(humanJoin(['a']), 'a');
    assert.equal(humanJoin(['a', 'b']), 'a and b');
    assert.equal(humanJoin(['a', 'b', 'c']), 'a, b and c');
  });
});
