// Accepted, denied and warned annotation and label values per family (the ECI annotations and ACS labels of schemas/),
// written out independently of the schemas, and the objects that carry them.
import type { KubernetesObject } from '@kubernetes/client-node';
import { kubectlCreate, pod } from './objects.js';

type StringMap = Readonly<Record<string, string>>;

export interface Metadata {
  readonly annotations?: StringMap;
  readonly labels?: StringMap;
}

/** A metadata that must get a finding at `field` (below the pod metadata) matching `message`. */
export type Judged = readonly [metadata: Metadata, field: string, message: RegExp];

export interface Family {
  readonly name: string;
  readonly rule: string;
  readonly accepted: readonly Metadata[];
  readonly denied: readonly Judged[];
  readonly warned: readonly Judged[];
}

export const annotation = (key: string): string => `annotations[${JSON.stringify(key)}]`;
const label = (key: string): string => `labels[${JSON.stringify(key)}]`;

const k = (name: string): string => `k8s.aliyun.com/${name}`;
const one = (name: string, value: string): Metadata => ({ annotations: { [k(name)]: value } });
const denied = (name: string, value: string, message: RegExp): Judged => [
  one(name, value),
  annotation(k(name)),
  message,
];
const vswitches = 'network.alibabacloud.com/vswitch-ids';
const securityGroups = 'network.alibabacloud.com/security-group-ids';

export const families: readonly Family[] = [
  {
    name: 'instance, spec and scheduling',
    rule: 'eci-annotations',
    accepted: [
      {
        annotations: {
          [k('eci-vswitch')]: 'vsw-bp1xpiowfm5vo8o3c,vsw-bp1rkyjgr1xwoho6k',
          [k('eci-schedule-strategy')]: 'VSwitchRandom',
          [k('eci-use-specs')]: '2-4Gi,0.5-1Gi,ecs.c6.xlarge',
          [k('eci-spot-strategy')]: 'SpotWithPriceLimit',
          [k('eci-spot-price-limit')]: '0.255',
          [k('eci-spot-duration')]: '0',
          [k('eci-max-pending-minute')]: '1440',
          [k('eci-fail-strategy')]: 'fail-fast',
          [k('eci-privatepool-matchcriteria')]: 'Target',
          [k('eci-privatepool-id')]: 'eap-bp67acfmxazb4',
          [k('eci-custom-hosts')]: '[{"host":"example.com","ip":"100.100.0.1"}]',
          [k('eci-custom-tags')]: 'env:test,team:batch',
          [k('eci-gpu-driver-version')]: 'tesla=525.85.12',
        },
      },
      {
        annotations: {
          [k('eci-use-specs')]: '2-4Gi',
          [k('eci-instance-family')]: 'ecs.c6,-ecs.t5',
          [k('eci-instance-generation')]: '6,-4',
          [k('eci-compute-category')]: 'economy,general',
        },
      },
      one('eci-spot-strategy', 'SpotAsPriceGo'),
    ],
    denied: [
      denied('eci-spot-strategy', 'Cheapest', /"Cheapest" is not one of SpotAsPriceGo, SpotWithPriceLimit/),
      denied('eci-vswitch', 'vsw-a,subnet-b', /\[1\]: "subnet-b" is not a vSwitch ID \(vsw-/),
      denied('eci-vswitch', Array.from({ length: 11 }, (_, i) => `vsw-${i}`).join(','), /has 11 entries; at most 10/),
      denied('eci-use-specs', '2-4Gi,4-8Gi,8-16Gi,ecs.c6.xlarge,ecs.g6.large,ecs.r6.large', /has 6 entries; at most 5/),
      denied('eci-use-specs', '2C4G', /"2C4G" is not a spec/),
      denied('eci-spot-price-limit', '0.2555', /at most 3 decimals/),
      denied('eci-spot-price-limit', '0', /0 must be > 0/),
      denied('eci-max-pending-minute', '5', /5 must be >= 10/),
      denied('eci-max-pending-minute', '1441', /1441 must be <= 1440/),
      denied('eci-custom-hosts', '[{"host":"example.com"}]', /eci-custom-hosts"\]: \[0\]: ip is required/),
      denied('eci-custom-hosts', '{"host"', /is not valid JSON/),
      denied('eci-custom-tags', 'a:1,b:2,c:3,d:4', /at most 3/),
      denied('eci-cpu-option-ht', '3', /"3" is not one of 1, 2/),
    ],
    warned: [
      [one('eci-spot-price-limit', '0.5'), annotation(k('eci-spot-price-limit')), /only with .*SpotWithPriceLimit/],
      [
        one('eci-spot-duration', '1'),
        annotation(k('eci-spot-duration')),
        /only with k8s\.aliyun\.com\/eci-spot-strategy/,
      ],
      [one('eci-privatepool-id', 'eap-1'), annotation(k('eci-privatepool-id')), /matchcriteria: Target/],
      [
        { annotations: { [k('eci-use-specs')]: 'ecs.c6.xlarge', [k('eci-instance-generation')]: '6' } },
        annotation(k('eci-instance-generation')),
        /ECS type/,
      ],
    ],
  },
  {
    name: 'images',
    rule: 'eci-annotations',
    accepted: [
      {
        annotations: {
          [k('eci-auto-imc')]: 'true',
          [k('imc-perfect-match')]: 'false',
          [k('eci-imc-id')]: 'imc-2zebxkiifuyzzlhl',
          [k('acr-instance-ids')]: 'cn-beijing:cri-j36zhodptmyq,cri-ic2nbqsmnaax',
          [k('acr-service-arns')]: 'acs:ram::1609982529:role/role-assume',
          [k('insecure-registry')]: 'harbor.example.com:8443,10.0.0.5',
        },
      },
    ],
    denied: [
      denied('eci-auto-imc', 'yes', /"yes" is not one of true, false/),
      denied('eci-imc-id', 'snapshot-1', /not an image cache ID \(imc-/),
      denied('acr-instance-ids', 'cn-beijing/cri-1', /not an ACR instance ID/),
      denied('acr-user-arns', 'role-acr', /not a RAM role ARN acs:ram::<uid>:role\/<name>/),
      denied('plain-http-registry', 'http://harbor', /not a registry host\[:port\]/),
    ],
    warned: [
      [
        { annotations: { [k('eci-auto-imc')]: 'false', [k('imc-perfect-match')]: 'true' } },
        annotation(k('imc-perfect-match')),
        /eci-auto-imc: "true"/,
      ],
    ],
  },
  {
    name: 'network, storage and other',
    rule: 'eci-annotations',
    accepted: [
      {
        annotations: {
          [k('eci-security-group')]: 'sg-bp1dktddjsg5nktv,sg-bp1dktddjsg5nktw',
          [k('eci-with-eip')]: 'true',
          [k('eip-isp')]: 'BGP_PRO',
          [k('eip-bandwidth')]: '5',
          [k('eip-internet-charge-type')]: 'PayByTraffic',
          'kubernetes.io/ingress-bandwidth': '40M',
          'kubernetes.io/egress-bandwidth': '1G',
          [k('eci-custom-dnsconfig')]:
            '{"nameservers":"100.100.2.136","searches":"svc.cluster.local","options":"ndots:2,edns0"}',
          [k('eci-extra-ephemeral-storage')]: '50Gi',
          [k('eci-ephemeral-storage-options')]: '{"encrypted":"true"}',
          [k('eci-private-ip-address')]: '172.16.0.1',
          [k('eci-ntp-server')]: '100.100.5.1,100.100.5.2',
          [k('eci-fixed-ip')]: 'true',
          [k('eci-fixed-ip-retain-hour')]: '24',
          [k('eci-data-cache-bucket')]: 'default',
          [k('eci-data-cache-pl')]: 'PL1',
        },
      },
      one('eci-eip-instanceid', 'eip-bp1q5n8cq4p7f6dzu'),
    ],
    denied: [
      denied(
        'eci-security-group',
        'default',
        /eci-security-group"\]: \[0\]: "default" is not a security group ID \(sg-/,
      ),
      denied('eci-security-group', 'sg-1,sg-2,sg-3,sg-4,sg-5,sg-6', /has 6 entries; at most 5/),
      denied('eip-isp', 'BGP_X', /"BGP_X" is not one of BGP, BGP_PRO/),
      denied('eip-bandwidth', '0', /"0" is not a whole number of at least 1/),
      [
        { annotations: { 'kubernetes.io/ingress-bandwidth': '40Mbps' } },
        annotation('kubernetes.io/ingress-bandwidth'),
        /"40Mbps" is not bytes per second/,
      ],
      denied(
        'eci-custom-dnsconfig',
        '{"nameserver":"1.1.1.1"}',
        /nameserver is not a known field \(known: nameservers, searches, options\)/,
      ),
      denied(
        'eci-ephemeral-storage-options',
        '{"encrypted":true}',
        /eci-ephemeral-storage-options"\]: encrypted: true is not a string/,
      ),
      denied('eci-extra-ephemeral-storage', '50GB', /"50GB" is not a quantity/),
      denied('eci-private-ip-address', '10.0.0.256', /not an IPv4 address/),
      denied('eci-core-pattern', 'core/%e', /not an absolute path/),
      denied('eci-data-cache-pl', 'PL4', /not one of PL0, PL1, PL2, PL3/),
      [
        { annotations: { [k('eci-eip-instanceid')]: 'eip-1', [k('eci-with-eip')]: 'true' } },
        annotation(k('eci-eip-instanceid')),
        /eci-eip-instanceid"\]: an existing EIP cannot be bound while k8s\.aliyun\.com\/eci-with-eip is "true"/,
      ],
    ],
    warned: [
      [one('eip-isp', 'BGP_PRO'), annotation(k('eip-isp')), /only when an EIP is created/],
      [
        { annotations: { [k('eci-with-eip')]: 'false', [k('eip-bandwidth')]: '5' } },
        annotation(k('eip-bandwidth')),
        /only when an EIP is created/,
      ],
      [
        one('eip-internet-charge-type', 'PayByTraffic'),
        annotation(k('eip-internet-charge-type')),
        /only when an EIP is created/,
      ],
      [
        one('eip-common-bandwidth-package-id', 'cbwp-1'),
        annotation(k('eip-common-bandwidth-package-id')),
        /only when an EIP is created/,
      ],
      [one('eci-fixed-ip-retain-hour', '24'), annotation(k('eci-fixed-ip-retain-hour')), /eci-fixed-ip: "true"/],
      [
        one('eci-host-sysctls', '[{"name":"vm.max_map_count","value":"262144"}]'),
        annotation(k('eci-host-sysctls')),
        /support/,
      ],
      [
        one('eci-data-cache-provisionedIops', '40000'),
        annotation(k('eci-data-cache-provisionedIops')),
        /need k8s\.aliyun\.com\/eci-data-cache-bucket/,
      ],
    ],
  },
  {
    name: 'cross-key rules of spot instances',
    rule: 'eci-annotations',
    accepted: [{ annotations: { [k('eci-spot-strategy')]: 'SpotWithPriceLimit', [k('eci-spot-price-limit')]: '1' } }],
    denied: [
      [
        one('eci-spot-strategy', 'SpotWithPriceLimit'),
        annotation(k('eci-spot-strategy')),
        /SpotWithPriceLimit needs a price limit: set k8s\.aliyun\.com\/eci-spot-price-limit/,
      ],
    ],
    warned: [
      [
        { annotations: { [k('eci-spot-strategy')]: 'SpotAsPriceGo', [k('eci-spot-price-limit')]: '1' } },
        annotation(k('eci-spot-price-limit')),
        /ignored/,
      ],
    ],
  },
  {
    name: 'written by the system',
    rule: 'eci-annotations',
    accepted: [],
    denied: [],
    warned: [
      [one('eci-instance-id', 'eci-2ze1'), annotation(k('eci-instance-id')), /written by ECI/],
      [one('allocated-eipAddress', '47.0.0.1'), annotation(k('allocated-eipAddress')), /written by ECI/],
      [
        { annotations: { 'network.alibabacloud.com/allocated-ipv4': '10.0.0.1' } },
        annotation('network.alibabacloud.com/allocated-ipv4'),
        /written by ECI/,
      ],
      [
        { annotations: { 'alibabacloud.com/pod-use-spec': '2-4Gi' } },
        annotation('alibabacloud.com/pod-use-spec'),
        /written by ECI/,
      ],
    ],
  },
  {
    name: 'ACS labels',
    rule: 'acs-labels',
    accepted: [
      {
        labels: {
          'alibabacloud.com/acs': 'true',
          'alibabacloud.com/compute-class': 'performance',
          'alibabacloud.com/compute-qos': 'best-effort',
        },
        annotations: { 'alibabacloud.com/cpu-vendors': 'intel,amd' },
      },
      {
        labels: {
          'alibabacloud.com/compute-class': 'gpu-hpn',
          'alibabacloud.com/compute-qos': 'default',
          'alibabacloud.com/gpu-model-series': 'L20',
        },
      },
      { annotations: { 'alibabacloud.com/cpu-vendors': 'amd' } },
      { annotations: { [vswitches]: 'vsw-slw1a,vsw-lkjwo2', [securityGroups]: 'sg-sljwo1' } },
    ],
    denied: [
      [
        { labels: { 'alibabacloud.com/compute-class': 'economy' } },
        label('alibabacloud.com/compute-class'),
        /"economy" is not one of general-purpose, performance, gpu, gpu-hpn/,
      ],
      [
        { labels: { 'alibabacloud.com/compute-qos': 'burstable' } },
        label('alibabacloud.com/compute-qos'),
        /not one of default, best-effort/,
      ],
      [
        { labels: { 'alibabacloud.com/compute-class': 'gpu-hpn', 'alibabacloud.com/compute-qos': 'best-effort' } },
        label('alibabacloud.com/compute-qos'),
        /gpu-hpn allows only compute-qos default/,
      ],
      [
        { labels: { 'alibabacloud.com/gpu-model-series': 'T4' } },
        label('alibabacloud.com/gpu-model-series'),
        /needs alibabacloud\.com\/compute-class gpu or gpu-hpn/,
      ],
      [
        {
          labels: { 'alibabacloud.com/compute-class': 'gpu' },
          annotations: { 'alibabacloud.com/cpu-vendors': 'intel' },
        },
        annotation('alibabacloud.com/cpu-vendors'),
        /only with .*general-purpose/,
      ],
      [
        { annotations: { 'alibabacloud.com/cpu-vendors': 'arm' } },
        annotation('alibabacloud.com/cpu-vendors'),
        /"arm" is not one of intel, amd, intel,amd/,
      ],
      [{ annotations: { [vswitches]: 'vsw-a,vsw-a' } }, annotation(vswitches), /lists "vsw-a" twice/],
      [
        { annotations: { [securityGroups]: 'sg-a, sg-b' } },
        annotation(securityGroups),
        /" sg-b" is not a security group ID/,
      ],
    ],
    warned: [],
  },
];

/** Kinds the families run on, each with where it keeps the pod metadata. */
export const carriers: ReadonlyArray<
  readonly [kind: string, metadataPath: string, make: (metadata: Metadata) => KubernetesObject]
> = (() => {
  const deployment = kubectlCreate('deployment', 'web', '--image=nginx');
  const cronJob = kubectlCreate('cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *');
  return [
    ['Pod', 'metadata', (metadata) => withMetadata(pod({}), [], metadata)],
    ['Deployment', 'spec.template.metadata', (metadata) => withMetadata(deployment, ['spec', 'template'], metadata)],
    [
      'CronJob',
      'spec.jobTemplate.spec.template.metadata',
      (metadata) => withMetadata(cronJob, ['spec', 'jobTemplate', 'spec', 'template'], metadata),
    ],
  ];
})();

/** A copy of `object` with labels and annotations added to the metadata at `template`. */
export function withMetadata(
  object: KubernetesObject,
  template: readonly string[],
  metadata: Metadata,
): KubernetesObject {
  const copy = structuredClone(object) as unknown as Record<string, Record<string, unknown>>;
  const node = template.reduce(
    (parent, field) => parent[field] as unknown as Record<string, Record<string, unknown>>,
    copy,
  );
  node.metadata ??= {};
  const target = node.metadata as Record<string, unknown>;
  if (metadata.labels) target.labels = { ...(target.labels as StringMap | undefined), ...metadata.labels };
  if (metadata.annotations)
    target.annotations = { ...(target.annotations as StringMap | undefined), ...metadata.annotations };
  return copy as unknown as KubernetesObject;
}
