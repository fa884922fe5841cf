// `check --output sarif`: valid SARIF 2.1.0 (the official schema), rules with help text, and
// each result on the line of the field it names.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { Log } from 'sarif';
import t from 'tap';
import { rules } from '../lib/policy/rules/index.js';
import { run } from './helpers/cli.js';

const require = createRequire(import.meta.url);
const schema = JSON.parse(
  readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
) as object;
// The schema is draft-04, which Ajv 8 reads only through its draft-04 build (a CommonJS default);
// one of its patterns is valid only without the u flag.
const ajv = new AjvDraft04.default({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats.default(ajv, ['uri', 'uri-reference', 'date-time']);
const validate = ajv.compile(schema);

const manifests = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: agent
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata:
      labels: {app: agent}
      annotations:
        k8s.aliyun.com/eci-spot-price-limit: "0.2"
    spec:
      containers:
        - name: agent
          image: busybox
      volumes:
        - name: logs
          hostPath: {path: /var/log}
`;

t.test('SARIF output validates against the SARIF 2.1.0 schema and locates each finding', async (t) => {
  const dir = t.testdir({ 'apps.yaml': manifests, 'broken.yaml': 'kind: [\n' });
  const file = join(dir, 'apps.yaml');
  const result = await run(['check', '-f', file, '-f', join(dir, 'broken.yaml'), '--output', 'sarif']);
  t.equal(result.code, 2, 'the broken file makes the run incomplete');
  const log = JSON.parse(result.stdout) as Log;
  t.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 3)));
  t.notOk(
    validate({ ...log, runs: [{ ...log.runs[0], results: [{ level: 'deny' }] }] }),
    'the schema does refuse a wrong level',
  );
  const [sarifRun] = log.runs;
  const driverRules = sarifRun?.tool.driver.rules ?? [];
  for (const rule of rules) {
    const descriptor = driverRules.find((candidate) => candidate.id === rule.id);
    t.match(descriptor?.help?.text, rule.workaround, `${rule.id} has its workaround as help`);
  }
  const located = (sarifRun?.results ?? []).map((r) => [
    r.ruleId,
    r.level,
    r.locations?.[0]?.physicalLocation?.region?.startLine,
    r.locations?.[0]?.physicalLocation?.artifactLocation?.uri,
  ]);
  const lines = manifests.split('\n');
  const lineOf = (text: string) => lines.findIndex((line) => line.trim() === text) + 1;
  t.same(located, [
    ['node-port', 'error', lineOf('type: NodePort'), encodeURI(file)],
    ['host-path', 'error', lineOf('hostPath: {path: /var/log}'), encodeURI(file)],
    ['eci-annotations', 'warning', lineOf('k8s.aliyun.com/eci-spot-price-limit: "0.2"'), encodeURI(file)],
  ]);
  t.equal(sarifRun?.invocations?.[0]?.executionSuccessful, false);
  t.match(
    sarifRun?.invocations?.[0]?.toolExecutionNotifications?.[0]?.locations?.[0]?.physicalLocation?.artifactLocation
      ?.uri,
    'broken.yaml',
  );
});
