// Preloaded into a CLI run (`node --import`): at exit, the process's peak RSS in MiB goes to the
// file BENCH_MAX_RSS_FILE names, so a benchmark measures the real command, not a copy of it.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_MAX_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS / 1024)));
