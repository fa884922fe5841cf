// In-process cost of one decision: microseconds per review, no server, no I/O; and how it grows
// with the number of profile selectors.
import type { KubernetesObject } from '@kubernetes/client-node';
import { policyContext, type PolicyContext } from '../lib/policy/context.js';
import { decide } from '../lib/policy/decide.js';
import { parseProfile, type Profile } from '../lib/profile/profile.js';
import { kubectlCreate, requestFor } from '../test/helpers/objects.js';
import { namespaceLabels, profileData, replicaSetPod } from './objects.js';
import type { Row } from './report.js';

const iterations = 200_000;
const podGoalMicros = 10;

/** Microseconds per call of `run`, after a warm-up. */
function micros(run: () => unknown): number {
  for (let i = 0; i < 20_000; i++) run();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run();
  return Number(process.hrtime.bigint() - start) / 1000 / iterations;
}

function row(figure: string, perCall: number, goalMicros?: number): Row {
  const value = `${perCall.toFixed(2)} µs (${Math.round(1e6 / perCall).toLocaleString('en')} /s)`;
  return goalMicros === undefined
    ? { figure, value }
    : { figure, value, goal: `<= ${goalMicros} µs`, met: perCall <= goalMicros };
}

function review(object: KubernetesObject, context: PolicyContext): number {
  const request = requestFor(object);
  return micros(() => decide(request, context));
}

/** The same pod with eight ECI annotations, all valid: the cost of annotation validation on top. */
const annotatedPod = {
  ...replicaSetPod,
  metadata: {
    ...replicaSetPod.metadata,
    annotations: {
      'k8s.aliyun.com/eci-use-specs': '2-4Gi,4-8Gi,ecs.c6.xlarge',
      'k8s.aliyun.com/eci-vswitch': 'vsw-bp1xpiowfm5vo8o3c,vsw-bp1rkyjgr1xwoho6k',
      'k8s.aliyun.com/eci-security-group': 'sg-bp1dktddjsg5nktv',
      'k8s.aliyun.com/eci-spot-strategy': 'SpotWithPriceLimit',
      'k8s.aliyun.com/eci-spot-price-limit': '0.25',
      'k8s.aliyun.com/eci-with-eip': 'true',
      'k8s.aliyun.com/eip-bandwidth': '5',
      'k8s.aliyun.com/eci-custom-hosts': '[{"host":"example.com","ip":"100.100.0.1"}]',
    },
  },
};

export function decideRows(): Row[] {
  const context = policyContext();
  return [
    row('decide(): pod review', review(replicaSetPod, context), podGoalMicros),
    row('decide(): pod review with 8 ECI annotations', review(annotatedPod, context)),
    row(
      'the annotation schema: 8 ECI annotations of one pod',
      micros(() => context.schemas.eciAnnotations(annotatedPod.metadata.annotations ?? {}, 'metadata.annotations')),
    ),
    row(
      'decide(): Deployment review',
      review(kubectlCreate('deployment', 'web', '--image=nginx', '--replicas=3'), context),
    ),
  ];
}

export function profileOf(selectors: number): Profile {
  const { profile, problems } = parseProfile(
    profileData(selectors),
    `bench ${selectors} selectors`,
    policyContext().schemas,
  );
  if (!profile) throw new Error(`bench profile refused: ${JSON.stringify(problems)}`);
  return profile;
}

/** decide() on the pod review against profiles of 1 to 1,000 selectors, 10,000 namespaces cached. */
export function scalingRows(): Row[] {
  const namespaces = namespaceLabels(10_000);
  const counts = [1, 10, 100, 1000];
  const perPod = counts.map((count) =>
    review(replicaSetPod, policyContext({ profile: profileOf(count), namespaceLabels: namespaces })),
  );
  const growth = perPod[perPod.length - 1]! / perPod[0]!;
  return [
    ...counts.map((count, i) =>
      row(`decide(): pod review, ${count.toLocaleString('en')} selector${count === 1 ? '' : 's'}`, perPod[i]!),
    ),
    { figure: 'decide(): 1,000 selectors vs 1', value: `${growth.toFixed(2)}×`, goal: '<= 2×', met: growth <= 2 },
  ];
}
