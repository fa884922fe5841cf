// One object per rule that breaks exactly that rule, objects that break none, and where each kind
// keeps its pod spec: the tables decide's tests and the e2e comparison with the policies share.
import type { KubernetesObject, V1PodSpec, V1Service } from '@kubernetes/client-node';
import { daemonSet, pod, resourcePolicy } from './objects.js';

export function service(spec: V1Service['spec']): KubernetesObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec } as KubernetesObject;
}
export const container = { name: 'app', image: 'nginx' };

/** One object per rule that breaks exactly that rule, and the path the finding must name. */
export const ruleCases: ReadonlyArray<readonly [string, KubernetesObject, string]> = [
  ['daemonset', daemonSet(), 'kind'],
  [
    'host-path',
    pod({
      volumes: [
        { name: 'tmp', emptyDir: {} },
        { name: 'logs', hostPath: { path: '/var/log' } },
      ],
    }),
    'spec.volumes[1].hostPath',
  ],
  ['host-network', pod({ hostNetwork: true }), 'spec.hostNetwork'],
  ['host-pid', pod({ hostPID: true }), 'spec.hostPID'],
  ['host-ipc', pod({ hostIPC: true }), 'spec.hostIPC'],
  [
    'host-port',
    pod({ containers: [{ ...container, ports: [{ containerPort: 80 }, { containerPort: 8080, hostPort: 8080 }] }] }),
    'spec.containers[0].ports[1].hostPort',
  ],
  [
    'privileged',
    pod({ initContainers: [{ name: 'init', image: 'busybox', securityContext: { privileged: true } }] }),
    'spec.initContainers[0].securityContext.privileged',
  ],
  [
    'capabilities',
    pod({ containers: [{ ...container, securityContext: { capabilities: { add: ['NET_ADMIN', 'SYS_ADMIN'] } } }] }),
    'spec.containers[0].securityContext.capabilities.add[1]',
  ],
  [
    'reserved-port',
    pod({ containers: [{ ...container, ports: [{ containerPort: 10250 }] }] }),
    'spec.containers[0].ports[0].containerPort',
  ],
  [
    'instance-limits',
    pod({ volumes: Array.from({ length: 21 }, (_, i) => ({ name: `v${i}`, emptyDir: {} })) }),
    'spec.volumes',
  ],
  ['node-port', service({ type: 'NodePort', ports: [{ port: 80 }] }), 'spec.type'],
  [
    'session-affinity',
    service({ type: 'ClusterIP', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] }),
    'spec.sessionAffinity',
  ],
  [
    'eci-profile',
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'eci-profile', namespace: 'kube-system' },
      data: { selectors: '[{"name": ""}]' },
    } as KubernetesObject,
    'data.selectors[0].name',
  ],
  [
    'eci-annotations',
    pod({}, {}, { 'k8s.aliyun.com/eci-with-eip': 'yes' }),
    'metadata.annotations["k8s.aliyun.com/eci-with-eip"]',
  ],
  [
    'acs-labels',
    pod({}, { 'alibabacloud.com/compute-class': 'cheap' }),
    'metadata.labels["alibabacloud.com/compute-class"]',
  ],
  ['resource-policy', resourcePolicy({ strategy: 'prefer', units: [{ resource: 'tpu' }] }), 'spec.units[0].resource'],
];

/** What a warning case names: the paths of its warnings, and what each one's workaround says. */
export type WarningCase = readonly [
  rule: string,
  object: KubernetesObject,
  paths: readonly string[],
  workarounds: readonly string[],
];

const cronJob = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: {
    name: 'nightly',
    namespace: 'default',
    annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'SpotAsPriceGo', team: 'batch' },
  },
  spec: {
    schedule: '0 3 * * *',
    jobTemplate: {
      metadata: { annotations: { 'k8s.aliyun.com/eci-use-specs': '2-4Gi' } },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [container] } } },
    },
  },
} as KubernetesObject;

const fieldRef = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
const init = { name: 'init', image: 'busybox' };
const labelRef = "metadata.labels['app']";
const hostIp = fieldRef('HOST_IP', 'status.hostIP');
const teamRef = "metadata.annotations['team']";
/** The container securityContext fields ECI applies. */
const applied = { runAsUser: 1, runAsNonRoot: true, capabilities: { drop: ['ALL'] } };

/**
 * Rules that only warn: one object each that trips exactly that rule (objects the API server
 * accepts: the e2e suite compares the warnings policy's warnings with them).
 */
export const warningCases: readonly WarningCase[] = [
  [
    'annotation-placement',
    cronJob,
    [
      'metadata.annotations["k8s.aliyun.com/eci-spot-strategy"]',
      'spec.jobTemplate.metadata.annotations["k8s.aliyun.com/eci-use-specs"]',
    ],
    [
      'spec.jobTemplate.spec.template.metadata.annotations["k8s.aliyun.com/eci-spot-strategy"]',
      'spec.jobTemplate.spec.template.metadata.annotations["k8s.aliyun.com/eci-use-specs"]',
    ],
  ],
  [
    'billed-spec',
    pod({ containers: [{ ...container, resources: { requests: { cpu: '7', memory: '13Gi' } } }] }),
    ['spec.containers'],
    ['the specification it is billed as'],
  ],
  [
    'security-context',
    pod({
      securityContext: {
        fsGroup: 2000,
        runAsUser: 1000,
        sysctls: [
          { name: 'net.core.somaxconn', value: '1024' },
          { name: 'vm.max_map_count', value: '262144' },
        ],
      },
      containers: [{ ...container, securityContext: applied }],
      initContainers: [
        {
          ...init,
          securityContext: { ...applied, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
        },
      ],
    }),
    ['spec.securityContext', 'spec.initContainers[0].securityContext', 'spec.securityContext.sysctls[1].name'],
    ['init container', 'init container', 'k8s.aliyun.com/eci-host-sysctls'],
  ],
  [
    'acs-service',
    service({
      type: 'LoadBalancer',
      ports: [{ port: 80 }],
      externalTrafficPolicy: 'Local',
      loadBalancerSourceRanges: ['10.0.0.0/8'],
      externalIPs: ['192.0.2.1'],
    }),
    ['spec.externalIPs[0]', 'spec.loadBalancerSourceRanges[0]', 'spec.externalTrafficPolicy'],
    ['type LoadBalancer', 'access control', 'Cluster'],
  ],
  [
    'downward-api',
    pod({
      containers: [{ ...container, env: [fieldRef('POD_IP', 'status.podIP'), fieldRef('APP', labelRef), hostIp] }],
      initContainers: [{ ...init, env: [fieldRef('NODE', 'spec.nodeName'), fieldRef('HOST_IPS', 'status.hostIPs')] }],
      volumes: [
        { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
        {
          name: 'all',
          projected: { sources: [{ downwardAPI: { items: [{ path: 'team', fieldRef: { fieldPath: teamRef } }] } }] },
        },
      ],
    }),
    [
      'spec.containers[0].env[2].valueFrom.fieldRef.fieldPath',
      'spec.initContainers[0].env[1].valueFrom.fieldRef.fieldPath',
    ],
    ['status.podIP', 'status.podIP'],
  ],
];

/** Objects no rule has anything to say about. */
export const cleanCases: readonly KubernetesObject[] = [
  pod({
    volumes: [{ name: 'data', emptyDir: {} }],
    containers: [
      { ...container, ports: [{ containerPort: 8080 }], securityContext: { capabilities: { add: ['cap_net_admin'] } } },
    ],
  }),
  service({ type: 'LoadBalancer', ports: [{ port: 80 }], sessionAffinity: 'None' }),
];

/** Where each kind keeps its pod spec, written out independently of lib/workload. */
export const workloads: ReadonlyArray<readonly [apiVersion: string, kind: string, specPath: string]> = [
  ['v1', 'Pod', 'spec'],
  ['v1', 'PodTemplate', 'template.spec'],
  ['v1', 'ReplicationController', 'spec.template.spec'],
  ['apps/v1', 'Deployment', 'spec.template.spec'],
  ['apps/v1', 'ReplicaSet', 'spec.template.spec'],
  ['apps/v1', 'StatefulSet', 'spec.template.spec'],
  ['apps/v1', 'DaemonSet', 'spec.template.spec'],
  ['batch/v1', 'Job', 'spec.template.spec'],
  ['batch/v1', 'CronJob', 'spec.jobTemplate.spec.template.spec'],
];

export function objectWithSpecAt(
  apiVersion: string,
  kind: string,
  specPath: string,
  spec: Partial<V1PodSpec>,
): KubernetesObject {
  const root: Record<string, unknown> = { apiVersion, kind, metadata: { name: 'w', namespace: 'default' } };
  const fields = specPath.split('.');
  let node = root;
  for (const field of fields.slice(0, -1)) {
    node[field] ??= {};
    node = node[field] as Record<string, unknown>;
  }
  node[fields.at(-1)!] = spec;
  return root as KubernetesObject;
}
