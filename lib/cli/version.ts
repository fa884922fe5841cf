// `eci-admission version`, and `--version`: the package's version. The flags are read only when
// there are any, so that printing the version loads nothing else.
import { version } from '../version.js';

export async function runVersion(args: string[]): Promise<number> {
  if (args.length > 0) {
    const { parseFlags, printUsage } = await import('./usage.js');
    const { values } = parseFlags('version', { args, options: { help: { type: 'boolean', short: 'h' } } });
    if (values.help) return printUsage(0, 'version');
  }
  process.stdout.write(`eci-admission ${version}\n`);
  return 0;
}
