// Mistakes on the command line: one line on stderr and exit 2, never a stack trace. Apart from
// cli.test.ts so each file keeps its own time budget on a busy machine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { contextFlags, manifestFlags, requesterFlags, verdictFlags } from '../lib/cli/flags.js';
import { run } from './helpers/cli.js';
import { packagePath } from '../lib/facts.js';

t.test('usage errors exit 2 with a reason', async (t) => {
  const cases: ReadonlyArray<readonly [string[], RegExp]> = [
    [[], /Usage: eci-admission/],
    [['launch'], /^eci-admission: unknown command launch; see 'eci-admission --help'\n$/],
    [['serve', '--cluster-mode', 'mixed'], /--cluster-mode: mixed is not one of serverless, hybrid/],
    [['serve', '--port', 'https'], /--port: not a port: https/],
    [['serve', '--colour'], /^eci-admission serve: unknown flag --colour; see 'eci-admission serve --help'\n$/],
    [['check', '--bogus', 'x.yaml'], /^eci-admission check: unknown flag --bogus; see 'eci-admission check --help'\n$/],
    [['check', '-z'], /^eci-admission check: unknown flag -z; see 'eci-admission check --help'\n$/],
    [['certs', '--out'], /^eci-admission certs: --out needs a value; see 'eci-admission certs --help'\n$/],
    [['certs', '--secret=yes'], /^eci-admission certs: --secret takes no value; see 'eci-admission certs --help'\n$/],
    [['certs', 'certs'], /^eci-admission certs: unexpected argument certs: the command takes flags only; see /],
    [['version', '--short'], /^eci-admission version: unknown flag --short; see 'eci-admission version --help'\n$/],
    [['--bogus'], /^eci-admission: unknown flag --bogus; see 'eci-admission --help'\n$/],
    [
      ['serve', '--shutdown-delay', '10'],
      /^eci-admission serve: --shutdown-delay: not a duration such as 10s, 0s or 1m: 10\n$/,
    ],
    [['serve', '--background-scan', '0s'], /--background-scan: not an interval such as 30s, 10m or 1h: 0s/],
    [
      ['serve', '--profile', '/nonexistent/eci-profile.yaml', '--cert-dir', join(t.testdir(), 'certs')],
      /cannot read eci-profile \/nonexistent\/eci-profile\.yaml/,
    ],
    [['serve', '--register', '--cert-dir', join(t.testdir(), 'certs')], /--register needs a cluster: set KUBECONFIG/],
    [['certs', '--days', 'soon'], /--days: not a whole number of days: soon/],
    [
      ['certs', '--days', '826', '--out', join(t.testdir(), 'long')],
      /^eci-admission certs: --days: 826 is more than 825, the longest Apple's platforms accept for a TLS server /,
    ],
    [
      ['register', '--cert-dir', '/nonexistent'],
      /\/nonexistent\/ca\.crt does not exist: run 'eci-admission certs' first/,
    ],
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
  const commands = ['serve', 'check', 'explain', 'scan', 'certs', 'register', 'policies', 'version'];
  const helps = await Promise.all(commands.map((command) => run([command, '--help'])));
  helps.forEach((help, index) => {
    const command = commands[index]!;
    t.equal(help.code, 0, command);
    t.match(
      help.stdout,
      new RegExp(`^Usage: eci-admission ${command} \\[flags\\]\\n\\n  ${command} `),
      `${command}: its own usage`,
    );
    for (const other of commands.filter((name) => name !== command))
      t.notMatch(help.stdout, new RegExp(`^  ${other} `, 'm'), `${command} --help does not describe ${other}`);
  });
  const { version } = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as {
    version: string;
  };
  for (const args of [['version'], ['--version']]) {
    const printed = await run(args);
    t.equal(printed.code, 0);
    t.equal(printed.stdout, `eci-admission ${version}\n`, args[0]!);
  }
});

t.test('the overview lists the commands in one column and their summaries in the next', async (t) => {
  const overview = (await run(['--help'])).stdout;
  const commandLines = overview
    .slice(overview.indexOf('Commands:\n') + 10)
    .split('\n\n')[0]!
    .split('\n');
  t.same(
    commandLines.map((line) => /^ {2}[a-z]+ +/.exec(line)?.[0].length),
    commandLines.map(() => '  register  '.length),
    `every summary starts in one column:\n${commandLines.join('\n')}`,
  );
  t.same(
    commandLines.map((line) => line.trim().split(' ')[0]),
    ['serve', 'check', 'explain', 'scan', 'certs', 'register', 'policies', 'version'],
  );
  const help = (await run(['check', '--help'])).stdout.split('\n');
  t.ok(
    help.slice(3).every((line) => line === '' || line.startsWith(' '.repeat('  register  '.length))),
    "a command's flags are under its summary",
  );
});

/** `--name` of each flag a parseArgs table defines, and `-x` for its short form. */
function flagNames(table: Readonly<Record<string, { type: string; short?: string }>>): string[] {
  // --help is the overview's to say, once for every command.
  const flags = Object.entries(table).filter(([name]) => name !== 'help');
  return flags.flatMap(([name, flag]) => [`--${name}`, ...(flag.short ? [`-${flag.short}`] : [])]);
}

t.test('the overview gives each command one line; its --help has the rest, every flag it takes', async (t) => {
  const overview = (await run(['--help'])).stdout;
  const takes: Readonly<Record<string, readonly string[]>> = {
    serve: flagNames({ ...contextFlags, ...verdictFlags, ...requesterFlags }),
    check: [...flagNames({ ...manifestFlags, ...verdictFlags }), '--output', '-o', '--strict', '--allow-empty'],
    explain: flagNames(manifestFlags),
  };
  for (const [command, flags] of Object.entries(takes)) {
    const help = (await run([command, '--help'])).stdout;
    const [summary, ...details] = help
      .slice(help.indexOf('\n\n') + 2)
      .trimEnd()
      .split('\n');
    t.ok(overview.includes(summary!), `${command}: its line of the overview opens its help`);
    t.ok(details.length > 0, `${command}: its help says more than the overview`);
    for (const line of details) t.notOk(overview.includes(line.trimEnd()), `${command}: not in the overview: ${line}`);
    for (const flag of flags) t.match(help, new RegExp(`(^|[\\s,(])${flag}[\\s,=]`, 'm'), `${command}: ${flag}`);
    t.notMatch(help, /as for serve|the flags of check|verdict flags/, `${command} --help stands on its own`);
  }
  const explain = (await run(['explain', '--help'])).stdout;
  for (const flag of flagNames(verdictFlags)) t.notMatch(explain, flag, `explain takes no ${flag}`);
});
