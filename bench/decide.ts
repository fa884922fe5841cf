// In-process cost of one decision: microseconds per review, no server, no I/O.
import type { KubernetesObject } from '@kubernetes/client-node';
import { checkAnnotations } from '../lib/policy/annotations.js';
import { policyContext } from '../lib/policy/context.js';
import { decide } from '../lib/policy/decide.js';
import { kubectlCreate, pod, requestFor } from '../test/helpers/objects.js';

const context = policyContext();
const iterations = 200_000;

/** A pod as a ReplicaSet makes it: service-account volume, probes, resources. */
const replicaSetPod = pod({
  containers: [
    {
      name: 'web',
      image: 'nginx:1.27',
      ports: [{ containerPort: 8080, name: 'http' }],
      resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
      readinessProbe: { httpGet: { path: '/healthz', port: 8080 } },
      volumeMounts: [{ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
    },
  ],
  volumes: [{ name: 'kube-api-access', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3607 } }] } }],
  serviceAccountName: 'default',
});

/** Microseconds per call of `run`, after a warm-up, as a table row. */
function measure(name: string, run: () => unknown): string {
  for (let i = 0; i < 20_000; i++) run();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run();
  const micros = Number(process.hrtime.bigint() - start) / 1000 / iterations;
  return `| ${name} | ${micros.toFixed(2)} µs | ${Math.round(1e6 / micros).toLocaleString('en')} /s |`;
}

function review(name: string, object: KubernetesObject): string {
  const request = requestFor(object);
  return measure(`decide(): ${name}`, () => decide(request, context));
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

const rows = [
  review('pod review', replicaSetPod),
  review('pod review with 8 ECI annotations', annotatedPod),
  measure('checkAnnotations(): 8 ECI annotations of one pod', () => checkAnnotations(annotatedPod.metadata.annotations, 'metadata.annotations', context)),
  review('Deployment review', kubectlCreate('deployment', 'web', '--image=nginx', '--replicas=3')),
];
process.stdout.write(['| what | per call | rate |', '| --- | --- | --- |', ...rows, ''].join('\n'));
