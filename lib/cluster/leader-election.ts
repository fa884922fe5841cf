// Leader election on one coordination.k8s.io/v1 Lease, with the semantics of client-go's
// tools/leaderelection: a candidate takes the Lease when there is none, when its holder released
// it, or when its record has not changed for the record's leaseDurationSeconds of OUR clock since
// we saw it change (client-go's observedTime). The holder's timestamps are never compared with the
// local clock, so skew between nodes does not matter, only how fast their clocks run. Every write
// carries the resourceVersion read: of two candidates taking over at once, one gets 409 and stays
// a follower. The leader renews every retry period and stops leading once it has not renewed for
// the renew deadline, before anyone may take over. The clock and the timer are given, so tests run
// it in virtual time; the Lease is read and written through a LeaseClient (leases.ts).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ContextLog } from '../server/context-source.js';

interface ElectionTiming {
  /** Written into the Lease: how long the others wait, from a change of its record, to take it. */
  readonly leaseDurationSeconds: number;
  /** The leader stops leading when it has not renewed for this long. */
  readonly renewDeadlineMs: number;
  /** Between two tries, to take the Lease or to renew it. */
  readonly retryPeriodMs: number;
}

/**
 * client-go's defaults. Kyverno uses 12/10/2 s (six and five retry periods); 15 s leaves 5 s, not
 * 2, between the leader's giving up and anyone's taking over, room for a last renewal that was
 * slow to land and for clocks that run at slightly different rates. Failing over 3 s later is
 * nothing to a scan every few minutes.
 */
export const electionTiming: ElectionTiming = {
  leaseDurationSeconds: 15,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

/** The fields of a LeaseSpec that election reads and writes; times are MicroTime strings. */
export interface LeaseRecord {
  readonly holderIdentity?: string;
  readonly leaseDurationSeconds?: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions?: number;
}

/** A Lease as read. It is written back whole, so the fields this code does not know are kept. */
export interface StoredLease {
  readonly metadata?: { readonly resourceVersion?: string; readonly [field: string]: unknown };
  readonly spec?: LeaseRecord & { readonly [field: string]: unknown };
  readonly [field: string]: unknown;
}

/** The one Lease. create and update answer undefined for a 409: another candidate wrote first. */
export interface LeaseClient {
  /** `namespace/name`, for the log. */
  readonly name: string;
  get(): Promise<StoredLease | undefined>;
  create(spec: LeaseRecord): Promise<StoredLease | undefined>;
  /** Replaces the Lease if its resourceVersion is still the stored one. */
  update(lease: StoredLease): Promise<StoredLease | undefined>;
}

export interface ElectionOptions {
  readonly leases: LeaseClient;
  readonly identity: string;
  readonly timing?: ElectionTiming;
  readonly log: ContextLog;
  readonly now: () => number;
  /** Settles after `ms`, or as soon as `signal` aborts. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<unknown>;
}

export interface LeaderElection {
  /** True while this candidate leads: it holds the Lease and renewed it within the renew deadline. */
  leading(): boolean;
  /** Stops trying and releases the Lease if it is held, so that another candidate takes it at its next try. */
  stop(): Promise<void>;
}

/**
 * The pod's name (HOSTNAME, which the kubelet sets to it) and a random suffix, so that two
 * processes on one host differ: what client-go users write as hostname_uuid.
 */
export function candidateIdentity(env: NodeJS.ProcessEnv = process.env): string {
  return `${env.HOSTNAME || hostname()}_${randomUUID().slice(0, 8)}`;
}

export function electLeader(options: ElectionOptions): LeaderElection {
  const elector = new Elector(options);
  const running = elector.run();
  return {
    leading: () => elector.leading,
    stop: async () => {
      elector.stopping.abort();
      await running;
      await elector.release();
    },
  };
}

/** The Lease as this candidate last read or wrote it, and when (our clock) its record last changed. */
interface Observed {
  readonly lease: StoredLease;
  readonly record: string;
  readonly changedAt: number;
}

class Elector {
  leading = false;
  readonly stopping = new AbortController();
  readonly #options: ElectionOptions;
  readonly #timing: ElectionTiming;
  /** `the Lease NAMESPACE/NAME`, as the log lines say it. */
  readonly #lease: string;
  #observed: Observed | undefined;
  #renewedAt = 0;
  /** Set by a failed request, so that an outage is one log line, not one per try. */
  #failing = false;

  constructor(options: ElectionOptions) {
    this.#options = options;
    this.#timing = options.timing ?? electionTiming;
    this.#lease = `the Lease ${options.leases.name}`;
  }

  async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      await this.#step();
      await this.#options.sleep(this.#timing.retryPeriodMs, this.stopping.signal).catch(() => undefined);
    }
  }

  /** client-go's ReleaseOnCancel: no holder, and a second's duration for whoever reads it. */
  async release(): Promise<void> {
    this.leading = false;
    if (!this.#holds()) return;
    const time = microTime(this.#options.now());
    const released = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: time, renewTime: time };
    const failure = await this.#within(
      this.#timing.renewDeadlineMs,
      this.#written(this.#options.leases.update(withRecord(this.#observed!.lease, released))).then(
        (written) => (written ? undefined : 'it was written meanwhile'),
        (error: Error) => error.message,
      ),
      'no answer in time',
    );
    if (failure === undefined) this.#log('info', `stopped leading and released ${this.#lease}`);
    else this.#log('warn', `stopped leading; ${this.#lease} is taken over when it expires (not released: ${failure})`);
  }

  /** One try to take or renew the Lease, and what it means for leading. */
  async #step(): Promise<void> {
    const { renewDeadlineMs } = this.#timing;
    const started = this.#options.now();
    // A leader's try gets only what is left of its deadline: a request that hangs must not keep it leading.
    const budget = this.leading ? this.#renewedAt + renewDeadlineMs - started : renewDeadlineMs;
    const held =
      budget > 0 && (await this.#within(budget, this.#tryAcquireOrRenew(started), false, this.stopping.signal));
    if (held) {
      this.#renewedAt = started;
      if (!this.leading) this.#log('info', `leading: holding ${this.#lease} as ${this.#options.identity}`);
      this.leading = true;
    } else if (this.leading && this.#options.now() - this.#renewedAt >= renewDeadlineMs) {
      this.leading = false;
      this.#log('warn', `stopped leading: ${this.#lease} not renewed for ${renewDeadlineMs / 1000} s`);
    }
  }

  #log(level: 'info' | 'warn', message: string): void {
    this.#options.log[level](
      { lease: this.#options.leases.name, identity: this.#options.identity },
      `leader election: ${message}`,
    );
  }

  /** True when this candidate holds the Lease after the try; a failure is logged once per outage. */
  async #tryAcquireOrRenew(now: number): Promise<boolean> {
    try {
      const held = await this.#acquireOrRenew(now);
      this.#failing = false;
      return held;
    } catch (error) {
      if (!this.#failing) this.#log('warn', (error as Error).message);
      this.#failing = true;
      return false;
    }
  }

  /** client-go's tryAcquireOrRenew. */
  async #acquireOrRenew(now: number): Promise<boolean> {
    const { leases } = this.#options;
    const lease = await leases.get();
    if (lease === undefined) return this.#written(leases.create(this.#record(now, 0)));
    this.#observe(lease);
    const spec = lease.spec ?? {};
    const renewing = this.#holds();
    if (spec.holderIdentity && !renewing && this.#unexpired(now, spec.leaseDurationSeconds ?? 0)) return false;
    const transitions = spec.leaseTransitions ?? 0;
    const record = renewing
      ? { ...this.#record(now, transitions), acquireTime: spec.acquireTime }
      : this.#record(now, transitions + 1);
    return this.#written(leases.update(withRecord(lease, record)));
  }

  #record(now: number, leaseTransitions: number): LeaseRecord {
    const time = microTime(now);
    return {
      holderIdentity: this.#options.identity,
      leaseDurationSeconds: this.#timing.leaseDurationSeconds,
      acquireTime: time,
      renewTime: time,
      leaseTransitions,
    };
  }

  /** Whether the write went through (false: a 409); what it wrote is what we observe now. */
  async #written(write: Promise<StoredLease | undefined>): Promise<boolean> {
    const lease = await write;
    if (lease === undefined) return false;
    this.#observe(lease);
    return true;
  }

  #observe(lease: StoredLease): void {
    const record = JSON.stringify(lease.spec ?? {});
    const changedAt = this.#observed?.record === record ? this.#observed.changedAt : this.#options.now();
    this.#observed = { lease, record, changedAt };
  }

  #holds(): boolean {
    return this.#observed?.lease.spec?.holderIdentity === this.#options.identity;
  }

  #unexpired(now: number, durationSeconds: number): boolean {
    return this.#observed!.changedAt + durationSeconds * 1000 > now;
  }

  /** What `work` answers, or `otherwise` once `ms` have passed (a request that hangs) or `cut` aborts. */
  async #within<T>(ms: number, work: Promise<T>, otherwise: T, cut?: AbortSignal): Promise<T> {
    const timer = new AbortController();
    const abort = () => timer.abort();
    cut?.addEventListener('abort', abort, { once: true });
    const late = this.#options.sleep(ms, timer.signal).then(
      () => otherwise,
      () => otherwise,
    );
    try {
      return await Promise.race([work, late]);
    } finally {
      cut?.removeEventListener('abort', abort);
      timer.abort();
    }
  }
}

function withRecord(lease: StoredLease, record: LeaseRecord): StoredLease {
  return { ...lease, spec: { ...lease.spec, ...record } };
}

/** MicroTime as the API server parses it: RFC 3339 with exactly six fractional digits. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}
