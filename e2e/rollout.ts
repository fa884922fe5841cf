// `node dist/e2e/rollout.js`: restarts the webhook's replicas one at a time, as `kubectl rollout
// restart` of the Deployment does with maxUnavailable 0 and maxSurge 1 (e2e/webhook.ts,
// rollReplicas), each with the arguments it had; the state file follows each step. Exits 0 once
// every replica is new.
import { fileURLToPath } from 'node:url';
import { rollReplicas, runningReplicas } from './webhook.js';

const log = (line: string) => process.stdout.write(`rollout: ${line}\n`);

async function rollout(): Promise<void> {
  if (runningReplicas().length === 0) throw new Error('no replica runs: start the cluster with npm run e2e:up');
  await rollReplicas((old) => old.args, log);
  log(
    `done: ${runningReplicas()
      .map((r) => r.name)
      .join(', ')}`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await rollout();
  } catch (error) {
    process.stderr.write(`rollout: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
