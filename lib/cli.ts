#!/usr/bin/env node
// The `eci-admission` command: dispatches to the commands in cli/ and maps failures to exit
// codes: 0 success, 1 a denial (check), 2 any failure (bad usage or input, a configuration or
// port that cannot be used, a cluster that refused). Each command's module is imported when that
// command runs, so `--version` loads nothing else and `check` neither node-forge nor the logger;
// client-node (most of a second at start) and the server load only for the commands using them.
type Command = (args: string[]) => Promise<number>;

const commands: Readonly<Record<string, () => Promise<Command>>> = {
  serve: async () => (await import('./cli/serve.js')).runServe,
  check: async () => (await import('./cli/check.js')).runCheckCommand,
  explain: async () => (await import('./cli/check.js')).runExplainCommand,
  scan: async () => (await import('./cli/scan.js')).runScanCommand,
  certs: async () => (await import('./cli/certs.js')).runCerts,
  register: async () => (await import('./cli/certs.js')).runRegister,
  policies: async () => (await import('./cli/policies.js')).runPolicies,
  version: async () => (await import('./cli/version.js')).runVersion,
};

async function printUsage(code: number): Promise<number> {
  return (await import('./cli/usage.js')).printUsage(code);
}

async function main(argv: string[]): Promise<number> {
  const [word, ...args] = argv;
  if (word === '--help' || word === '-h' || word === 'help') return printUsage(0);
  if (word === undefined) return printUsage(2);
  const name = word === '--version' ? 'version' : word;
  const load = commands[name];
  if (load === undefined) {
    const { helpHint } = await import('./cli/usage.js');
    const problem = `unknown ${name.startsWith('-') ? 'flag' : 'command'} ${name}`;
    process.stderr.write(`eci-admission: ${helpHint(undefined, problem)}\n`);
    return 2;
  }
  try {
    return await (await load())(args);
  } catch (error) {
    // Every failure is one line a user can act on; the stack is for whoever debugs the command.
    const detail = process.env.LOG_LEVEL === 'debug' ? (error as Error)?.stack : undefined;
    process.stderr.write(`eci-admission ${name}: ${firstLine(error)}\n${detail ? `${detail}\n` : ''}`);
    return 2;
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

process.exitCode = await main(process.argv.slice(2));
