// What `check` and `explain` say to someone trying them the first time: paths as arguments,
// counts in good English, no line for a file that has none, and exit codes as documented.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import t from 'tap';
import { runCheck } from '../lib/check/command.js';
import { stringify } from 'yaml';
import { run } from './helpers/cli.js';
import { readme } from './helpers/readme.js';
import { daemonSet, pod } from './helpers/objects.js';

const yamlOf = (...objects: object[]) => objects.map((object) => stringify(object)).join('---\n');
const netRaw = { capabilities: { add: ['NET_RAW'] } };
const rawSocket = pod({ containers: [{ name: 'ping', image: 'busybox', securityContext: netRaw }] });

t.test('check and explain take paths as arguments, as -f: files, folders and - for stdin', async (t) => {
  const dir = t.testdir({ 'agent.yaml': yamlOf(daemonSet()), apps: { 'pod.yaml': yamlOf(pod({})) } });
  const file = join(dir, 'agent.yaml');
  const withFlag = await run(['check', '-f', file, '-f', join(dir, 'apps')]);
  const positional = await run(['check', file, join(dir, 'apps')]);
  t.equal(positional.code, 1, positional.stderr);
  t.equal(positional.stdout, withFlag.stdout, 'the same report as with -f');
  const mixed = await run(['check', '-f', file, join(dir, 'apps')]);
  t.equal(mixed.stdout, withFlag.stdout, '-f and arguments together');
  const piped = await run(['check', '-'], { stdin: yamlOf(daemonSet()) });
  t.match(piped.stdout, /^<stdin>:\d+ DaemonSet\/default\/agent error daemonset:/);
  const explained = await run(['explain', file]);
  t.equal(explained.code, 0, explained.stderr);
  t.match(explained.stdout, /^DaemonSet\/default\/agent \(/);
  const none = await run(['check']);
  t.equal(none.code, 2);
  const required = 'a PATH is required (a file, a folder, or - for stdin), as an argument or with -f; or -k DIR';
  t.equal(none.stderr, `eci-admission check: ${required}\n`);
});

t.test('counts are said in good English: 1 object, 2 objects, 1 warning', async (t) => {
  const dir = t.testdir({ 'one.yaml': yamlOf(rawSocket), 'two.yaml': yamlOf(pod({}), daemonSet()) });
  const one = await run(['check', '-f', join(dir, 'one.yaml'), '-f', join(dir, 'missing.yaml')]);
  t.match(one.stdout, /\n1 object: 1 admitted, 0 denied, 0 not sent to eci-admission; 1 warning; 1 input error\n$/);
  const policy = {
    apiVersion: 'scheduling.alibabacloud.com/v1alpha1',
    kind: 'ResourcePolicy',
    metadata: { name: 'burst' },
    spec: { selector: { app: 'web' }, units: [] },
  };
  const empty = await run(['check', '-f', '-'], { stdin: yamlOf(policy) });
  t.match(empty.stdout, /spec\.units: has 0 entries; at least 1 is needed;/);
  const two = await run(['check', '-f', join(dir, 'two.yaml')]);
  t.match(two.stdout, /\n2 objects: 1 admitted, 1 denied, 0 not sent to eci-admission; 0 warnings; 0 input errors\n$/);
});

t.test('a file that cannot be read is reported without a line: it has none', async (t) => {
  const dir = t.testdir({});
  const missing = join(dir, 'missing.yaml');
  const at = missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const checked = await run(['check', '-f', missing]);
  t.equal(checked.code, 2);
  t.match(checked.stdout, new RegExp(`^${at} error cannot read: ENOENT`, 'm'));
  t.notMatch(checked.stdout, /:0\b/);
  const explained = await run(['explain', '-f', missing]);
  t.equal(explained.code, 2);
  t.match(explained.stderr, new RegExp(`^${at}: cannot read: ENOENT`, 'm'));
  t.notMatch(explained.stderr, /:0\b/);
  const profile = join(dir, 'profile.yaml');
  const metadata = 'metadata: {name: eci-profile, namespace: kube-system}';
  writeFileSync(profile, `apiVersion: v1\nkind: ConfigMap\n${metadata}\ndata: {selectors: "[{"}\n`);
  const refused = await run(['check', '-f', '-', '--profile', profile], { stdin: yamlOf(pod({})) });
  const refusal = new RegExp(`^${at.replace('missing', 'profile')} error data\\.selectors: is not valid JSON`, 'm');
  t.match(refused.stdout, refusal, 'a refused profile: its file, once, and no line');
});

t.test('explain exits 0 whatever the findings and 2 when an input cannot be read, as its help says', async (t) => {
  const dir = t.testdir({ 'agent.yaml': yamlOf(daemonSet()), 'broken.yaml': 'kind: Pod\nmetadata: {name: x\n' });
  const denied = await run(['explain', '-f', join(dir, 'agent.yaml')]);
  t.match(denied.stdout, /deny daemonset:/);
  t.equal(denied.code, 0, 'a denial is an answer, not a failure');
  t.equal((await run(['explain', '-f', join(dir, 'agent.yaml'), '-f', join(dir, 'broken.yaml')])).code, 2);
  const flagged = await run(['explain', '--output', 'json', join(dir, 'agent.yaml')]);
  t.equal(flagged.code, 2, 'a flag explain does not take');
  const help = (await run(['explain', '--help'])).stdout;
  t.match(help, /Exit 0 when every input was read, whatever the findings; 2 on bad input or usage\./);
  const documented =
    /explain PATH[\s\S]*Its exit code is 0 when every input was read, whatever the findings[^.]*, and 2/;
  t.match(readme.replace(/\s+/g, ' '), documented, 'and so does the README');
});

t.test('explain says in plain words why a pod runs on ECI', async (t) => {
  const dir = t.testdir({ 'pod.yaml': yamlOf(pod({})) });
  const serverless = await run(['explain', '-f', join(dir, 'pod.yaml')]);
  t.match(serverless.stdout, /\n {2}runs on ECI: yes, because every pod of a serverless cluster runs on ECI\n/);
  const hybrid = ['explain', '--cluster-mode', 'hybrid', '-f', '-'];
  const byLabel = await run(hybrid, { stdin: yamlOf(pod({}, { 'alibabacloud.com/eci': 'true' })) });
  t.match(byLabel.stdout, /\n {2}runs on ECI: yes, because the pod label alibabacloud\.com\/eci=true sends it there\n/);
  const bySelector = await run(hybrid, { stdin: yamlOf(pod({ nodeSelector: { type: 'virtual-kubelet' } })) });
  t.match(bySelector.stdout, 'runs on ECI: yes, because its nodeSelector type=virtual-kubelet picks a virtual node');
  t.notMatch(serverless.stdout + byLabel.stdout + bySelector.stdout, /because of/);
});

t.test('a finding about an annotation value names the key once, in its field path', async (t) => {
  const annotations = {
    'k8s.aliyun.com/eci-spot-strategy': 'Cheapest',
    'k8s.aliyun.com/eci-vswitch': 'vsw-a,subnet-b',
  };
  const spot = { ...pod({}), metadata: { name: 'spot', annotations } };
  const result = await run(['check', '-f', '-'], { stdin: yamlOf(spot) });
  const lines = result.stdout.split('\n').filter((line) => line.includes('eci-annotations'));
  t.equal(lines.length, 2, result.stdout);
  for (const key of ['k8s.aliyun.com/eci-spot-strategy', 'k8s.aliyun.com/eci-vswitch']) {
    const line = lines.find((found) => found.includes(key)) ?? '';
    t.equal(line.split(key).length - 1, 1, `${key} once in: ${line}`);
  }
  const strategy = 'metadata.annotations["k8s.aliyun.com/eci-spot-strategy"]';
  t.match(result.stdout, `${strategy}: "Cheapest" is not one of SpotAsPriceGo, SpotWithPriceLimit;`);
  t.match(result.stdout, 'metadata.annotations["k8s.aliyun.com/eci-vswitch"]: [1]: "subnet-b" is not a vSwitch ID');
});

t.test('--strict under --mode warn: what a line calls an error, the summary counts as denied', async (t) => {
  const dir = t.testdir({ 'agent.yaml': yamlOf(daemonSet()), 'raw.yaml': yamlOf(rawSocket) });
  const lenient = await run(['check', '-f', join(dir, 'agent.yaml'), '--mode', 'warn']);
  t.equal(lenient.code, 0);
  t.match(lenient.stdout, /DaemonSet\/default\/agent warning daemonset:[^\n]*\n1 object: 1 admitted, 0 denied/);
  const strictly = ['--mode', 'warn', '--strict'];
  const strict = await run(['check', '-f', join(dir, 'agent.yaml'), '-f', join(dir, 'raw.yaml'), ...strictly]);
  t.equal(strict.code, 1);
  t.match(strict.stdout, /DaemonSet\/default\/agent error daemonset:/);
  t.match(strict.stdout, /Pod\/default\/p error capabilities:/);
  const summary = '2 objects: 0 admitted, 2 denied, 0 not sent to eci-admission; 2 warnings; 0 input errors';
  t.ok(strict.stdout.endsWith(`\n${summary}\n`), 'the summary counts them denied');
  const reported = await run(['check', '-f', join(dir, 'agent.yaml'), ...strictly, '-o', 'json']);
  const json = JSON.parse(reported.stdout) as { summary: { denied: number }; objects: Array<{ verdict: string }> };
  t.same([json.summary.denied, json.objects[0]?.verdict], [1, 'denied'], 'the JSON report agrees');
  const help = (await run(['check', '--help'])).stdout;
  t.match(help, '--strict  warnings fail too: each is an error and its object denied');
});

/** `check`'s text report as a terminal would show it, with the environment `env`. */
async function onTerminal(file: string, env: NodeJS.ProcessEnv): Promise<string> {
  const stdout = Object.assign(new PassThrough(), { isTTY: true });
  const context = { clusterMode: 'serverless', routing: 'ack-virtual-node', namespaceLabels: new Map() } as const;
  const report = { output: 'text', strict: false, allowEmpty: false, now: new Date(0) } as const;
  const options = { input: { files: [file] }, ...context, ...report } as const;
  const printed = text(stdout);
  await runCheck(options, { stdin: Readable.from([]), stdout, stderr: new PassThrough(), env });
  stdout.end();
  return printed;
}

t.test('the text report is coloured on a terminal unless NO_COLOR is set and not empty', async (t) => {
  const file = join(t.testdir({ 'agent.yaml': yamlOf(daemonSet()) }), 'agent.yaml');
  // The escape that starts every ANSI colour sequence.
  const ansi = `${String.fromCharCode(0x1b)}[`;
  t.match(await onTerminal(file, {}), ansi, 'coloured by default');
  t.match(await onTerminal(file, { NO_COLOR: '' }), ansi, 'an empty NO_COLOR is not set (no-color.org)');
  const plain = await onTerminal(file, { NO_COLOR: '1' });
  t.notMatch(plain, ansi, 'NO_COLOR=1: no colour');
  t.match(plain, /DaemonSet\/default\/agent error daemonset:/);
});
