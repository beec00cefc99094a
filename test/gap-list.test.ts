import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GapList } from '../src/resource-list/gap-list.js';

describe('GapList (property)', () => {
  it('holds what an array spliced the same way holds, wherever the splices land', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 50 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 5 }), fc.array(fc.integer(), { maxLength: 80 })), { maxLength: 30 }),
        (start, splices) => {
          const list = new GapList(start);
          const array = [...start];
          for (const [where, remove, insert] of splices) {
            const at = where % (array.length + 1);
            const removed = Math.min(remove, array.length - at);
            list.splice(at, removed, insert);
            array.splice(at, removed, ...insert);
            assert.equal(list.length, array.length);
            assert.deepEqual(list.toArray(), array);
            assert.deepEqual(list.slice(0, array.length), array);
            assert.equal(list.get(at), array[at]);
          }
        },
      ),
    );
  });
});
