// In-process cost of one decision: microseconds per review, no server, no I/O.
import type { KubernetesObject } from '@kubernetes/client-node';
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

function measure(name: string, object: KubernetesObject): string {
  const request = requestFor(object);
  for (let i = 0; i < 20_000; i++) decide(request, context);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) decide(request, context);
  const micros = Number(process.hrtime.bigint() - start) / 1000 / iterations;
  return `| decide(): ${name} | ${micros.toFixed(2)} µs | ${Math.round(1e6 / micros).toLocaleString('en')} /s |`;
}

const rows = [
  measure('pod review', replicaSetPod),
  measure('Deployment review', kubectlCreate('deployment', 'web', '--image=nginx', '--replicas=3')),
];
process.stdout.write(['| what | per review | rate |', '| --- | --- | --- |', ...rows, ''].join('\n'));
