// Leader election (lib/cluster/leader-election.ts) in virtual time: candidates share one in-memory
// Lease that answers 409 to a write carrying a stale resourceVersion, as the API server does, and a
// clock whose timers fire only when a test moves it on, so that every try, renewal and deadline of
// client-go's semantics is seen at the millisecond the timing puts it.
import t, { type Test } from 'tap';
import {
  candidateIdentity,
  electionTiming,
  electLeader,
  type LeaseClient,
  type LeaseRecord,
  type StoredLease,
} from '../lib/cluster/leader-election.js';

const { leaseDurationSeconds, renewDeadlineMs, retryPeriodMs } = electionTiming;
const leaseMs = leaseDurationSeconds * 1000;
const leaseMetadata = { namespace: 'eci-admission', name: 'eci-admission-background-scan' };
const leaseName = `${leaseMetadata.namespace}/${leaseMetadata.name}`;

/** Once the promises queued so far have settled, and those they queued: what a timer woke waits again. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

/** A clock whose timers fire when the test advances it, all those due at one time together. */
class VirtualTime {
  now = Date.UTC(2030, 0, 1);
  #timers: Array<{ readonly at: number; readonly fire: () => void }> = [];

  readonly sleep = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      const cancel = () => {
        this.#timers = this.#timers.filter((other) => other !== timer);
        reject(signal.reason);
      };
      // As node's timers do, a timer that fired stops listening: the signal outlives many.
      const fire = () => {
        signal.removeEventListener('abort', cancel);
        resolve();
      };
      const timer = { at: this.now + ms, fire };
      if (signal.aborted) return cancel();
      this.#timers.push(timer);
      signal.addEventListener('abort', cancel, { once: true });
    });

  /** Moves the clock `ms` on; candidates whose tries fall at one time run them concurrently. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    await settled();
    for (let next = this.#next(end); next !== undefined; next = this.#next(end)) {
      this.now = next;
      const due = this.#timers.filter((timer) => timer.at === next);
      this.#timers = this.#timers.filter((timer) => timer.at !== next);
      for (const timer of due) timer.fire();
      await settled();
    }
    this.now = end;
  }

  #next(end: number): number | undefined {
    const times = this.#timers.map((timer) => timer.at).filter((at) => at <= end);
    return times.length ? Math.min(...times) : undefined;
  }
}

/** The Lease as the API server keeps it: a new resourceVersion each write, 409 for a stale one. */
class LeaseStore {
  lease: StoredLease | undefined;
  /** Writes refused with 409. */
  conflicts = 0;
  #version = 0;

  constructor(lease?: StoredLease) {
    if (lease) this.write(lease);
  }

  get spec() {
    return this.lease?.spec;
  }

  /** Stores the Lease whole, as a PUT of another process would. */
  write(lease: StoredLease): StoredLease {
    this.lease = structuredClone({
      ...lease,
      metadata: { ...lease.metadata, resourceVersion: String(++this.#version) },
    });
    return structuredClone(this.lease);
  }

  create(spec: LeaseRecord): StoredLease | undefined {
    if (this.lease) return this.#conflict();
    return this.write({ metadata: leaseMetadata, spec: { ...spec } });
  }

  update(lease: StoredLease): StoredLease | undefined {
    if (this.lease === undefined) throw new Error(`cannot update Lease ${leaseName}: 404 not found`);
    if (lease.metadata?.resourceVersion !== this.lease.metadata?.resourceVersion) return this.#conflict();
    return this.write(lease);
  }

  #conflict(): undefined {
    this.conflicts++;
    return undefined;
  }
}

type Fault = 'none' | 'throws' | 'hangs';

/** One candidate's way to the store: answers a little later, as over the network, unless it fails. */
class Leases implements LeaseClient {
  readonly name = leaseName;
  fault: Fault = 'none';
  readonly #store: LeaseStore;

  constructor(store: LeaseStore) {
    this.#store = store;
  }

  get = () => this.#answer(() => this.#store.lease && structuredClone(this.#store.lease));
  create = (spec: LeaseRecord) => this.#answer(() => this.#store.create(spec));
  update = (lease: StoredLease) => this.#answer(() => this.#store.update(lease));

  #answer<T>(work: () => T): Promise<T> {
    if (this.fault === 'hangs') return new Promise(() => {});
    if (this.fault === 'throws') return Promise.reject(new Error('cannot reach the cluster: connect ECONNREFUSED'));
    return Promise.resolve().then(work);
  }
}

interface World {
  readonly time: VirtualTime;
  readonly store: LeaseStore;
}

function world(lease?: StoredLease): World {
  return { time: new VirtualTime(), store: new LeaseStore(lease) };
}

/** A candidate started now, its clock `skewMs` off the others'; stopped with the test. */
function candidate(t: Test, { time, store }: World, identity: string, { skewMs = 0, fault = 'none' as Fault } = {}) {
  const leases = new Leases(store);
  leases.fault = fault;
  const logged: string[] = [];
  const log = {
    info: (_fields: object, message: string) => logged.push(`info ${message}`),
    warn: (_fields: object, message: string) => logged.push(`warn ${message}`),
  };
  const election = electLeader({ leases, identity, log, now: () => time.now + skewMs, sleep: time.sleep });
  t.teardown(() => {
    leases.fault = 'none';
    return election.stop();
  });
  return { identity, leases, logged, leading: election.leading, stop: election.stop };
}

type Candidate = ReturnType<typeof candidate>;

/** A Lease held by a process that no longer renews it. */
function abandoned(spec: Record<string, unknown> = {}): StoredLease {
  const time = '2030-01-01T00:00:00.000000Z';
  return {
    metadata: leaseMetadata,
    spec: { holderIdentity: 'gone_0000', leaseDurationSeconds: 30, acquireTime: time, renewTime: time, ...spec },
  };
}

/** The candidates that lead at each 100 ms of the next `ms`, as counts. */
async function leadersOver(time: VirtualTime, candidates: readonly Candidate[], ms: number): Promise<Set<number>> {
  const counts = new Set<number>();
  for (let passed = 0; passed < ms; passed += 100) {
    await time.advance(100);
    counts.add(candidates.filter((each) => each.leading()).length);
  }
  return counts;
}

const microTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

t.test('a lone candidate creates the absent Lease, leads, and renews it every retry period', async (t) => {
  const { time, store } = world();
  const alone = candidate(t, { time, store }, 'a');
  t.notOk(alone.leading(), 'not before its first try');
  await time.advance(0);
  t.ok(alone.leading());
  const acquired = store.spec!;
  t.match(acquired, { holderIdentity: 'a', leaseDurationSeconds, leaseTransitions: 0 });
  t.match(acquired.acquireTime, microTime, 'a MicroTime the API server parses');
  t.equal(acquired.renewTime, acquired.acquireTime);
  const created = store.lease?.metadata?.resourceVersion;
  await time.advance(retryPeriodMs);
  const renewed = store.spec!;
  t.not(store.lease?.metadata?.resourceVersion, created, 'written again');
  t.equal(Date.parse(renewed.renewTime!) - Date.parse(acquired.renewTime!), retryPeriodMs, 'renewed a retry later');
  t.match(renewed, { holderIdentity: 'a', acquireTime: acquired.acquireTime, leaseTransitions: 0 });
  t.same(await leadersOver(time, [alone], 60_000), new Set([1]), 'leading all along');
  t.same(alone.logged, [`info leader election: leading: holding the Lease ${leaseName} as a`]);
});

t.test('a second candidate leaves alone a Lease that its holder renews', async (t) => {
  const shared = world();
  const first = candidate(t, shared, 'first');
  await shared.time.advance(0);
  const second = candidate(t, shared, 'second');
  t.same(await leadersOver(shared.time, [first, second], 60_000), new Set([1]));
  t.ok(first.leading());
  t.equal(shared.store.spec?.holderIdentity, 'first');
  t.equal(shared.store.conflicts, 0, 'the second never even tried to write');
});

t.test('a Lease whose record stops changing is taken after its leaseDurationSeconds of our clock', async (t) => {
  const { time, store } = world(abandoned({ leaseDurationSeconds: 30 }));
  const taker = candidate(t, { time, store }, 'taker');
  await time.advance(30_000 - 1);
  t.notOk(taker.leading(), 'a follower just before the 30 s the Lease says, not 15 of our own timing');
  await time.advance(1);
  t.ok(taker.leading(), 'the leader at 30 s');
  t.match(store.spec, { holderIdentity: 'taker', leaseDurationSeconds, leaseTransitions: 1 });
});

t.test('a change of the record starts the wait again, from when we saw it', async (t) => {
  const { time, store } = world(abandoned());
  const taker = candidate(t, { time, store }, 'taker');
  await time.advance(21_000);
  // Another process renews it between two of our tries: we see it at 22 s.
  store.write(abandoned({ renewTime: '2030-01-01T00:00:21.000000Z' }));
  await time.advance(22_000 + 30_000 - 21_000 - 1);
  t.notOk(taker.leading(), 'a follower until 30 s after the try that saw the change');
  await time.advance(1);
  t.ok(taker.leading());
});

t.test("the Lease's timestamps are never compared with our clock: skew does not matter", async (t) => {
  for (const [renewTime, skewMs] of [
    ['2100-01-01T00:00:00.000000Z', 0],
    ['2001-01-01T00:00:00.000000Z', 0],
    ['2030-01-01T00:00:00.000000Z', 3_600_000],
    ['2030-01-01T00:00:00.000000Z', -3_600_000],
  ] as const) {
    await t.test(`renewed ${renewTime}, our clock ${skewMs / 1000} s off`, async (t) => {
      const { time, store } = world(abandoned({ renewTime }));
      const taker = candidate(t, { time, store }, 'taker', { skewMs });
      await time.advance(30_000 - 1);
      t.notOk(taker.leading(), 'not before the Lease expired');
      await time.advance(1);
      t.ok(taker.leading(), 'but when it did');
    });
  }
});

t.test('two candidates racing for the Lease: one write gets 409 and its candidate stays a follower', async (t) => {
  for (const [race, lease, takenAt] of [
    ['both create the absent Lease', undefined, 0],
    ['both take over the abandoned Lease', abandoned(), 30_000],
  ] as const) {
    await t.test(race, async (t) => {
      const shared = world(lease);
      const racers = [candidate(t, shared, 'a'), candidate(t, shared, 'b')];
      await shared.time.advance(takenAt);
      t.equal(shared.store.conflicts, 1, 'they wrote at once');
      const [leader, ...others] = racers.filter((racer) => racer.leading());
      t.same(others, [], 'one leads');
      t.equal(shared.store.spec?.holderIdentity, leader?.identity, 'the one whose write went through');
      t.same(await leadersOver(shared.time, racers, 60_000), new Set([1]), 'and only it, after');
      t.ok(leader?.leading());
      t.same(
        racers.flatMap((racer) => racer.logged).filter((line) => line.startsWith('warn')),
        [],
        'a 409 is no failure',
      );
    });
  }
});

t.test('a leader that cannot renew stops at the renew deadline, before another may take over', async (t) => {
  t.ok(renewDeadlineMs + retryPeriodMs <= leaseMs, 'the deadline and a slow last try fit in the duration');
  for (const fault of ['throws', 'hangs'] as const) {
    await t.test(`its LeaseClient ${fault}`, async (t) => {
      const shared = world();
      const leader = candidate(t, shared, 'leader');
      await shared.time.advance(0);
      const follower = candidate(t, shared, 'follower');
      await shared.time.advance(2 * retryPeriodMs);
      t.ok(leader.leading());
      const renewedAt = shared.time.now;
      leader.leases.fault = fault;
      t.same(await leadersOver(shared.time, [leader, follower], renewDeadlineMs - 100), new Set([1]));
      await shared.time.advance(99);
      t.ok(leader.leading(), 'leading 1 ms before the deadline');
      await shared.time.advance(1);
      t.notOk(leader.leading(), 'not at the deadline');
      const untilExpiry = renewedAt + leaseMs - shared.time.now - 100;
      t.same(await leadersOver(shared.time, [leader, follower], untilExpiry), new Set([0]), 'none until it expired');
      t.same(await leadersOver(shared.time, [leader, follower], 2 * retryPeriodMs), new Set([0, 1]));
      t.ok(follower.leading(), 'the follower took over within a retry of the expiry');
      t.equal(
        leader.logged.at(-1),
        `warn leader election: stopped leading: the Lease ${leaseName} not renewed for ${renewDeadlineMs / 1000} s`,
      );
    });
  }
});

t.test('stop() releases the Lease, and another candidate takes it at its next try', async (t) => {
  const shared = world();
  const leader = candidate(t, shared, 'leader');
  await shared.time.advance(0);
  const follower = candidate(t, shared, 'follower');
  await shared.time.advance(5_000);
  const bystander = candidate(t, shared, 'bystander');
  await shared.time.advance(0);
  const before = shared.store.lease;
  await bystander.stop();
  t.same(shared.store.lease, before, "a follower's stop writes nothing");
  await leader.stop();
  t.notOk(leader.leading());
  t.match(shared.store.spec, { holderIdentity: '', leaseDurationSeconds: 1 });
  t.match(leader.logged.at(-1), /^info leader election: stopped leading and released the Lease /);
  await shared.time.advance(retryPeriodMs);
  t.ok(follower.leading(), 'within a retry, not a lease duration');
  t.match(shared.store.spec, { holderIdentity: 'follower', leaseDurationSeconds, leaseTransitions: 1 });
});

t.test('the fields of the stored Lease that election does not know are written back', async (t) => {
  const newer = {
    ...abandoned({ holderIdentity: '', leaseTransitions: 3, strategy: 'OldestEmulationVersion', preferredHolder: 'p' }),
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      ...leaseMetadata,
      labels: { team: 'platform' },
      managedFields: [{ manager: 'kubectl' }],
    },
    futureField: { kept: true },
  };
  const { time, store } = world(newer);
  const taker = candidate(t, { time, store }, 'taker');
  await time.advance(retryPeriodMs);
  t.ok(taker.leading(), 'a released Lease is taken at once');
  const { resourceVersion, ...metadata } = store.lease?.metadata ?? {};
  t.same(metadata, newer.metadata);
  t.match(store.lease, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', futureField: { kept: true } });
  t.match(store.spec, { strategy: 'OldestEmulationVersion', preferredHolder: 'p', leaseTransitions: 4 });
  t.equal(resourceVersion, '3', 'taken, then renewed');
});

t.test('an outage is one warning, not one a try; the next outage is another', async (t) => {
  const { time, store } = world();
  const alone = candidate(t, { time, store }, 'a', { fault: 'throws' });
  await time.advance(60_000);
  const failure = 'warn leader election: cannot reach the cluster: connect ECONNREFUSED';
  t.same(alone.logged, [failure], 'a failed try every 2 s, one line');
  alone.leases.fault = 'none';
  await time.advance(retryPeriodMs);
  t.ok(alone.leading());
  alone.leases.fault = 'throws';
  await time.advance(60_000);
  t.same(alone.logged.slice(1), [
    `info leader election: leading: holding the Lease ${leaseName} as a`,
    failure,
    `warn leader election: stopped leading: the Lease ${leaseName} not renewed for ${renewDeadlineMs / 1000} s`,
  ]);
});

t.test("a candidate's identity is its pod's name and a suffix of its own", async (t) => {
  const env = { HOSTNAME: 'eci-admission-7d9f8-x2k4q' };
  const [one, other] = [candidateIdentity(env), candidateIdentity(env)];
  t.match(one, /^eci-admission-7d9f8-x2k4q_[0-9a-f]{8}$/);
  t.not(one, other, 'two processes of one pod differ');
});
