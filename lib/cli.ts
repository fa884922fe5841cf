#!/usr/bin/env node
// The `eci-admission` command: dispatches to the commands in cli/ and maps failures to exit
// codes: 0 success, 1 a denial (check) or a cluster that refused (register), 2 bad usage or bad
// input. What needs @kubernetes/client-node or the server is imported when a command needs it:
// client-node alone costs most of a second at start, which `certs`, `check`, `--help` and a
// mistyped flag should not pay.
import { runCerts, runRegister } from './cli/certs.js';
import { runCheckCommand, runExplainCommand } from './cli/check.js';
import { runPolicies } from './cli/policies.js';
import { runServe } from './cli/serve.js';
import { printUsage } from './cli/usage.js';

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
  const command = name === undefined ? undefined : commands[name];
  if (command === undefined) {
    process.stderr.write(name === undefined ? '' : `eci-admission: unknown command ${name}\n`);
    return printUsage(2);
  }
  try {
    return await command(args);
  } catch (error) {
    if (!isUserError(error)) throw error;
    process.stderr.write(`eci-admission ${name}: ${(error as Error).message}\n`);
    return 2;
  }
}

/** By name: the modules that define these errors load only with their command. */
const userErrors = new Set(['UsageError', 'ProfileError', 'CertDirError', 'WebhookConfigurationsError']);

/** Mistakes in flags or input: said in one line with exit 2, not as a stack trace. */
function isUserError(error: unknown): boolean {
  if (userErrors.has((error as Error).name)) return true;
  // parseArgs reports unknown or malformed flags with these codes.
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('ERR_PARSE_ARGS_');
}

process.exitCode = await main(process.argv.slice(2));
