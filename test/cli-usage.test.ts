// Mistakes on the command line: one line on stderr and exit 2, never a stack trace. Apart from
// cli.test.ts so each file keeps its own time budget on a busy machine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { run } from './helpers/cli.js';

t.test('usage errors exit 2 with a reason', async (t) => {
  const cases: ReadonlyArray<readonly [string[], RegExp]> = [
    [[], /Usage: eci-admission/],
    [['launch'], /unknown command launch/],
    [['serve', '--cluster-mode', 'mixed'], /--cluster-mode: mixed is not one of serverless, hybrid/],
    [['serve', '--port', 'https'], /--port: not a port: https/],
    [['serve', '--colour'], /Unknown option '--colour'/],
    [['serve', '--profile', '/nonexistent/eci-profile.yaml', '--cert-dir', join(t.testdir(), 'certs')], /cannot read eci-profile \/nonexistent\/eci-profile\.yaml/],
    [['serve', '--register', '--cert-dir', join(t.testdir(), 'certs')], /--register needs a cluster: set KUBECONFIG/],
    [['certs', '--days', 'soon'], /--days: not a whole number of days: soon/],
    [['register', '--cert-dir', '/nonexistent'], /\/nonexistent\/ca\.crt does not exist: run 'eci-admission certs' first/],
  ];
  // In parallel: each case is a Node start-up, and they are independent.
  const results = await Promise.all(cases.map(([args]) => run(args, { env: { KUBECONFIG: '' } })));
  cases.forEach(([args, message], index) => {
    t.equal(results[index]!.code, 2, args.join(' '));
    t.match(results[index]!.stderr, message, args.join(' '));
  });
  const help = await run(['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /serve/);
});

t.test('each command has help of its own, and the version is printed', async (t) => {
  const commands = ['serve', 'check', 'explain', 'certs', 'register', 'policies'];
  const helps = await Promise.all(commands.map((command) => run([command, '--help'])));
  helps.forEach((help, index) => {
    const command = commands[index]!;
    t.equal(help.code, 0, command);
    t.match(help.stdout, new RegExp(`^Usage: eci-admission ${command} \\[flags\\]\\n\\n  ${command} `), `${command}: its own usage`);
    for (const other of commands.filter((name) => name !== command)) t.notMatch(help.stdout, new RegExp(`^  ${other} `, 'm'), `${command} --help does not describe ${other}`);
  });
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  for (const args of [['version'], ['--version']]) {
    const printed = await run(args);
    t.equal(printed.code, 0);
    t.equal(printed.stdout, `eci-admission ${version}\n`, args[0]!);
  }
});
