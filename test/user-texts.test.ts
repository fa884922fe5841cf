// What a cluster user reads names no file of this repository, which is not where that user is:
// the findings kubectl prints (message and workaround), the rule texts a SARIF viewer shows, and
// the messages and notes of the admission policies. Each says the thing itself.
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { run } from './helpers/cli.js';
import { ruleCases, warningCases } from './helpers/rule-cases.js';

/** A path into the repository (`docs/reference.md`, `lib/eci/specs.ts`, `schemas/...`), or a document of it. */
const repositoryFile = /\b(deploy|lib|docs|schemas|bench|test|e2e|charts)\/|README|\.md\b/;

interface Sarif {
  runs: Array<{
    tool: {
      driver: {
        rules: Array<{ shortDescription: { text: string }; fullDescription: { text: string }; help: { text: string } }>;
      };
    };
    results: Array<{ message: { text: string } }>;
  }>;
}

t.test('findings and the rule texts of SARIF name no file of the repository', async (t) => {
  const cases = [...ruleCases, ...warningCases].map(([, object]) => stringify(object)).join('---\n');
  const file = join(t.testdir({ 'cases.yaml': cases }), 'cases.yaml');
  const checked = await run(['check', '-o', 'sarif', file]);
  const [sarif] = (JSON.parse(checked.stdout) as Sarif).runs;
  const rules = sarif!.tool.driver.rules.flatMap((rule) => [
    rule.shortDescription.text,
    rule.fullDescription.text,
    rule.help.text,
  ]);
  const findings = sarif!.results.map((result) => result.message.text);
  t.ok(findings.length >= ruleCases.length, 'every case found something');
  t.same(
    [...rules, ...findings].filter((text) => repositoryFile.test(text)),
    [],
    'each says the thing, not where this repository keeps it',
  );
});

t.test("the admission policies' messages and notes name no file of the repository", async (t) => {
  const printed = await run(['policies', '--mutating']);
  t.equal(printed.code, 0, printed.stderr);
  const texts = printed.stdout.split('\n').filter((line) => /^#|message/.test(line.trim()));
  t.ok(texts.length > 10, 'the notes and the message expressions');
  t.same(
    texts.filter((line) => repositoryFile.test(line)),
    [],
  );
});
