// `eci-admission check` and `explain`.
import { parseArgs } from 'node:util';
import { outputs } from '../check/report/report.js';
import { checkOptions, enforcementOf, manifestFlags, oneOf, verdictFlags } from './flags.js';
import { printUsage } from './usage.js';

export async function runCheckCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { ...manifestFlags, ...verdictFlags, output: { type: 'string', short: 'o', default: 'text' }, strict: { type: 'boolean', default: false } },
  });
  if (values.help) return printUsage(0, 'check');
  const options = { ...checkOptions(values), enforcement: enforcementOf(values), output: oneOf('--output', values.output, outputs), strict: values.strict };
  const { runCheck } = await import('../check/command.js');
  return runCheck(options, process);
}

export async function runExplainCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, strict: true, options: manifestFlags });
  if (values.help) return printUsage(0, 'explain');
  const options = checkOptions(values);
  const { runExplain } = await import('../check/command.js');
  return runExplain(options, process);
}
