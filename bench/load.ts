// autocannon runs, bounded in time: as fast as possible, or at a fixed offered rate.
import autocannon from 'autocannon';

export interface Load {
  /** Requests per second completed. */
  readonly rate: number;
  readonly p50: number;
  readonly p99: number;
  /** Errors, timeouts and non-2xx answers: a run with any is not a valid figure. */
  readonly failures: number;
}

const seconds = 5;

export async function maximum(url: string, body: string): Promise<Load> {
  return run({ url, body, connections: 16, duration: seconds });
}

/** Latency at `rate` requests/s offered, with connections enough that none waits for a free one. */
export async function fixedRate(
  url: string,
  body: string,
  rate: number,
  headers: Record<string, string> = {},
  duration = seconds,
): Promise<Load> {
  return run({ url, body, connections: 64, overallRate: rate, duration, headers });
}

export async function warmUp(url: string, body: string): Promise<void> {
  await run({ url, body, connections: 16, duration: 2 });
}

interface RunOptions {
  url: string;
  body: string;
  connections: number;
  duration: number;
  overallRate?: number;
  headers?: Record<string, string>;
}

async function run({ headers, ...options }: RunOptions): Promise<Load> {
  const result = await autocannon({
    ...options,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    timeout: 10,
  });
  return {
    rate: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}
