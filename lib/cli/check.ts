// `eci-admission check` and `explain`.
import { outputs } from '../check/report/report.js';
import { oneOf } from '../config/settings.js';
import { checkOptions, commandSettings, manifestFlags, verdictFlags } from './flags.js';
import { parseFlags, printUsage, UsageError } from './usage.js';

/** Paths may be arguments too; the tokens keep them in order with -f's. */
const withPaths = { strict: true, allowPositionals: true, tokens: true } as const;

export async function runCheckCommand(args: string[]): Promise<number> {
  const { values, tokens } = parseFlags('check', {
    args,
    ...withPaths,
    options: {
      ...manifestFlags,
      ...verdictFlags,
      output: { type: 'string', short: 'o', default: 'text' },
      strict: { type: 'boolean', default: false },
      'allow-empty': { type: 'boolean', default: false },
    },
  });
  if (values.help) return printUsage(0, 'check');
  const output = oneOf('--output', values.output, outputs);
  const { settings } = await commandSettings(values);
  const run = {
    enforcement: settings.enforcement,
    output,
    strict: values.strict,
    allowEmpty: values['allow-empty'],
    now: timeOfRun(),
  };
  const options = { ...checkOptions(values, tokens, settings), ...run };
  const { runCheck } = await import('../check/command.js');
  return runCheck(options, process);
}

export async function runExplainCommand(args: string[]): Promise<number> {
  const { values, tokens } = parseFlags('explain', { args, ...withPaths, options: manifestFlags });
  if (values.help) return printUsage(0, 'explain');
  const { settings } = await commandSettings(values);
  const options = checkOptions(values, tokens, settings);
  const { runExplain } = await import('../check/command.js');
  return runExplain(options, process);
}

/**
 * SOURCE_DATE_EPOCH (seconds), the reproducible-builds convention, when it is set: the same input
 * then makes the same report, byte for byte. Otherwise the clock.
 */
export function timeOfRun(): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return new Date();
  if (!/^\d+$/.test(epoch)) throw new UsageError(`SOURCE_DATE_EPOCH: not a number of seconds: ${epoch}`);
  return new Date(Number(epoch) * 1000);
}
