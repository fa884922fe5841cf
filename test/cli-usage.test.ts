// Mistakes on the command line: one line on stderr and exit 2, never a stack trace. Apart from
// cli.test.ts so each file keeps its own time budget on a busy machine.
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
