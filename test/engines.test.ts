// The README promises Node.js 20 or newer: every package the lock installs must accept it, or
// `npm ci` warns EBADENGINE and the package may not load on Node 20 at all.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { intersects, validRange } from 'semver';
import { packagePath } from '../lib/facts.js';

interface Locked {
  readonly version?: string;
  readonly engines?: Record<string, string> | string[];
}

const manifest = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { engines: { node: string } };
type Lock = { packages: Record<string, Locked> };
const lock = JSON.parse(readFileSync(packagePath('package-lock.json'), 'utf8')) as Lock;

/** The Node.js versions the project promises, first of all its oldest line. */
const promised = `${manifest.engines.node} <21`;

t.test('the project promises Node.js 20', async (t) => {
  t.equal(manifest.engines.node, '>=20');
});

t.test('no package in package-lock.json excludes Node.js 20 in its engines', async (t) => {
  const excluding = Object.entries(lock.packages).flatMap(([path, locked]) => {
    const node = Array.isArray(locked.engines) ? undefined : locked.engines?.node;
    // A range semver cannot read is not one npm would refuse either.
    if (node === undefined || validRange(node) === null) return [];
    const name = path.replace(/^.*node_modules\//, '');
    return intersects(node, promised) ? [] : [`${name}@${locked.version} wants node ${node}`];
  });
  t.same(excluding, []);
  t.ok(Object.keys(lock.packages).length > 100, 'the lock was read');
});
