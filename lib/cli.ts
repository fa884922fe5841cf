#!/usr/bin/env node
// The `eci-admission` command: dispatches to the commands in cli/ and maps failures to exit
// codes: 0 success, 1 a denial (check), 2 any failure (bad usage or input, a configuration or
// port that cannot be used, a cluster that refused). What needs @kubernetes/client-node or the server is imported when a command needs it:
// client-node alone costs most of a second at start, which `certs`, `check`, `--help` and a
// mistyped flag should not pay.
import { runCerts, runRegister } from './cli/certs.js';
import { runCheckCommand, runExplainCommand } from './cli/check.js';
import { runPolicies } from './cli/policies.js';
import { runServe } from './cli/serve.js';
import { printUsage } from './cli/usage.js';
import { version } from './version.js';

const commands: Readonly<Record<string, (args: string[]) => Promise<number>>> = {
  serve: runServe,
  check: runCheckCommand,
  explain: runExplainCommand,
  certs: runCerts,
  register: runRegister,
  policies: runPolicies,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') return printUsage(0);
  if (name === 'version' || name === '--version') {
    process.stdout.write(`eci-admission ${version}\n`);
    return 0;
  }
  const command = name === undefined ? undefined : commands[name];
  if (command === undefined) {
    process.stderr.write(name === undefined ? '' : `eci-admission: unknown command ${name}\n`);
    return printUsage(2);
  }
  try {
    return await command(args);
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
