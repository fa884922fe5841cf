// What the benchmarks send: a pod as a ReplicaSet makes it, profiles of any number of selectors,
// and namespaces by the thousand.
import type { V1Pod } from '@kubernetes/client-node';

/**
 * A pod as the API server sends it for a Deployment's ReplicaSet: generateName, owner reference,
 * pod-template-hash, the projected service-account volume the admission plugin adds, default
 * tolerations, probes and resources. About 2.5 KB as an AdmissionReview.
 */
export const replicaSetPod: V1Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    generateName: 'web-7d4b9c8f6-',
    namespace: 'shop',
    labels: { app: 'web', 'pod-template-hash': '7d4b9c8f6', tier: 'frontend', team: 'shop' },
    annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-20T08:00:00Z' },
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'web-7d4b9c8f6',
        uid: '6f1c9e52-4a3b-4f8e-9d2a-1b7c3e5f9a01',
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'registry.example.com/shop/web:1.27.3',
        imagePullPolicy: 'IfNotPresent',
        ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
          { name: 'LOG_LEVEL', value: 'info' },
        ],
        resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } },
        readinessProbe: {
          httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' },
          periodSeconds: 10,
          timeoutSeconds: 1,
          successThreshold: 1,
          failureThreshold: 3,
        },
        livenessProbe: {
          httpGet: { path: '/livez', port: 8080, scheme: 'HTTP' },
          periodSeconds: 10,
          timeoutSeconds: 1,
          successThreshold: 1,
          failureThreshold: 3,
        },
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        volumeMounts: [
          { name: 'kube-api-access-x7k2p', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
        ],
      },
    ],
    volumes: [
      {
        name: 'kube-api-access-x7k2p',
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            {
              downwardAPI: {
                items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
              },
            },
          ],
        },
      },
    ],
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    serviceAccountName: 'default',
    serviceAccount: 'default',
    securityContext: {},
    schedulerName: 'default-scheduler',
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
    priority: 0,
    tolerations: [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
  },
};

/** An eci-profile `data` with `count` selectors, each narrowed to its own app or team; the pod above matches two. */
export function profileData(count: number): Record<string, string> {
  const selectors = Array.from({ length: count }, (_, i) => {
    const narrowed =
      i % 2 === 0
        ? { objectSelector: { matchLabels: { app: i === 0 ? 'web' : `app-${i}` } } }
        : { namespaceSelector: { matchLabels: { team: i === 1 ? 'shop' : `team-${i}` } } };
    return {
      name: `selector-${i}`,
      ...narrowed,
      effect: {
        annotations: { 'k8s.aliyun.com/eci-use-specs': '2-4Gi,4-8Gi' },
        labels: { 'eci-selector': `selector-${i}` },
      },
    };
  });
  return { selectors: JSON.stringify(selectors) };
}

/** `count` namespaces with the labels a real one carries. */
export function namespaceLabels(count: number): Map<string, Record<string, string>> {
  const namespaces = new Map<string, Record<string, string>>();
  for (let i = 0; i < count; i++) {
    const name = i === 0 ? 'shop' : `namespace-${i}`;
    namespaces.set(name, {
      'kubernetes.io/metadata.name': name,
      team: i === 0 ? 'shop' : `team-${i % 500}`,
      environment: i % 3 ? 'production' : 'staging',
    });
  }
  return namespaces;
}
