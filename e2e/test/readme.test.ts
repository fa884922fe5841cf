// 9. The README's kubectl examples, run against the real API server, print what the README shows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { kubectl } from '../helpers.js';
import { e2eModuleDir, repoRoot } from '../paths.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The output the README shows under `$ <command>` in a code block. */
function shownOutput(command: string): string {
  const start = readme.indexOf(`$ ${command}\n`);
  if (start < 0) throw new Error(`the README has no example of ${command}`);
  const from = start + command.length + 3;
  return readme.slice(from, readme.indexOf('```', from)).trimEnd();
}

t.test('kubectl apply -f agent.yaml: the denial as the README shows it', async (t) => {
  const result = await kubectl(['apply', '-f', 'agent.yaml'], { cwd: join(e2eModuleDir, 'fixtures') });
  t.equal(result.code, 1);
  t.equal(result.stderr.trimEnd(), shownOutput('kubectl apply -f agent.yaml'));
});

t.test('the install\'s verification command is refused with host-network', async (t) => {
  const result = await kubectl(['run', 'eci-check', '--image=nginx', '--dry-run=server', '-o', 'yaml', '--overrides={"spec":{"hostNetwork":true}}']);
  t.match(readme, `kubectl run eci-check --image=nginx --dry-run=server -o yaml --overrides='{"spec":{"hostNetwork":true}}'`);
  t.equal(result.code, 1);
  t.match(result.stderr, /denied the request: .*\n- host-network: spec\.hostNetwork/);
});

t.test('kubectl get of the two configurations, as the install\'s verification step runs it', async (t) => {
  const result = await kubectl(['get', 'mutatingwebhookconfiguration,validatingwebhookconfiguration', 'eci-admission']);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /mutatingwebhookconfiguration\.admissionregistration\.k8s\.io\/eci-admission\s+1\s/);
  t.match(result.stdout, /validatingwebhookconfiguration\.admissionregistration\.k8s\.io\/eci-admission\s+3\s/);
});
