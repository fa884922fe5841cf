// The kinds table: keys are typed by it, so a misspelt kind in a rule does not compile (the
// expected error below turns into a build failure the day KindKey accepts any string), and each key
// is the one kindKey builds from a request's group and kind.
import t from 'tap';
import { handledKey, handledKinds, isHandledKind, kindKey, type KindKey } from '../lib/workload/kinds.js';

t.test('a misspelt kind is a type error', async (t) => {
  // @ts-expect-error: not a kind of the table
  const typo: KindKey = 'apps/Deploymnet';
  t.notOk(isHandledKind(typo), 'and not handled at run time either');
});

t.test('the key of each handled kind is the one a request of that group and kind gets', async (t) => {
  for (const handled of handledKinds) {
    const key = handledKey(handled);
    t.equal(kindKey({ group: handled.group, kind: handled.kind }), key);
    t.ok(isHandledKind(key), key);
  }
  t.equal(handledKey(handledKinds[0]), 'Pod', 'the core group has no prefix');
  t.notOk(isHandledKind('example.com/Widget'));
});
