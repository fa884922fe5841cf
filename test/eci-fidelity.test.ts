// What ECI does with what a manifest shows beyond what it refuses outright: the spec a pod is
// billed as, Downward API fields it does not fill in, securityContext fields it does not apply,
// cloud disks per instance. Figures are written out from Alibaba Cloud's pages (cited in lib/eci/),
// not read from the tables under test.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject, V1Container, V1PodSpec, V1Volume } from '@kubernetes/client-node';
import t from 'tap';
import { stringify } from 'yaml';
import { policyContext } from '../lib/policy/context.js';
import { decide } from '../lib/policy/decide.js';
import { run } from './helpers/cli.js';
import { pod, requestFor } from './helpers/objects.js';

const serverless = policyContext({ clusterMode: 'serverless' });

const sized = (cpu: string, memory: string, more: Partial<V1Container> = {}): V1Container => ({
  name: `c${cpu}`,
  image: 'app',
  resources: { requests: { cpu, memory } },
  ...more,
});
const warningsOf = (object: KubernetesObject, rule: string) =>
  decide(requestFor(object), serverless).warnings.filter((w) => w.rule === rule);
const billed = (spec: Partial<V1PodSpec>, annotations?: Record<string, string>) =>
  warningsOf(pod(spec, {}, annotations), 'billed-spec').map((w) => w.message);

t.test('billed spec: rounded up to the next spec ECI offers, both tables named', async (t) => {
  // The page's own example: 7 vCPU, 13 GiB in cn-hangzhou is created as 8 vCPU, 14 GiB.
  t.same(billed({ containers: [sized('7', '13Gi')] }), [
    'billed as 8 vCPU, 14 GiB (asked 7 vCPU, 13 GiB) in the 12 regions with more specifications (cn-hangzhou among them); 8 vCPU, 16 GiB elsewhere and for spot instances',
  ]);
  t.same(
    billed({ containers: [sized('7', '13Gi')] }, { 'k8s.aliyun.com/eci-spot-strategy': 'SpotAsPriceGo' }),
    ['billed as 8 vCPU, 16 GiB (asked 7 vCPU, 13 GiB)'],
    'spot: only the specs of every region',
  );
  t.same(
    billed({ containers: [sized('2', '4Gi'), sized('2', '4Gi'), sized('250m', '512Mi')] }),
    [
      'billed as 6 vCPU, 10 GiB (asked 4.25 vCPU, 8.5 GiB) in the 12 regions with more specifications (cn-hangzhou among them); 8 vCPU, 16 GiB elsewhere and for spot instances',
    ],
    "the resource-ignore page's example: 4.25 vCPU, 8.5 GiB is 6 vCPU, 10 GiB in cn-hangzhou",
  );
  t.same(
    billed({ containers: [sized('1500m', '3Gi')] }),
    ['billed as 2 vCPU, 4 GiB (asked 1.5 vCPU, 3 GiB)'],
    'the same in both tables: one phrase',
  );
  t.same(billed({ containers: [sized('100m', '90Mi')] }), ['billed as 0.25 vCPU, 0.5 GiB (asked 0.1 vCPU, 90 MiB)']);
  t.same(
    billed({ containers: [sized('2', '6Gi')] }),
    [
      'billed as 2 vCPU, 8 GiB (asked 2 vCPU, 6 GiB) outside the 12 regions with more specifications (cn-hangzhou among them), and for spot instances',
    ],
    'a spec of the second table only',
  );
});

t.test('billed spec: a pod that fits a spec exactly, asks for nothing, or fits none gets no warning', async (t) => {
  for (const [cpu, memory] of [
    ['8', '14Gi'],
    ['8', '16Gi'],
    ['250m', '512Mi'],
    ['64', '512Gi'],
    ['52', '96Gi'],
  ] as const) {
    t.same(
      billed({ containers: [sized(cpu, memory)] }).filter((m) => !m.includes('outside')),
      [],
      `${cpu} vCPU, ${memory}`,
    );
  }
  t.same(billed({ containers: [sized('8', '16Gi')] }), [], '8 vCPU, 16 GiB is in both tables');
  t.same(billed({}), [], "nothing asked: ECI's default, said by explain only");
  t.same(billed({ containers: [sized('65', '64Gi')] }), [], 'above every spec: instance-limits refuses it');
  t.equal(decide(requestFor(pod({ containers: [sized('65', '64Gi')] })), serverless).allowed, false);
});

t.test('billed spec: limits over requests, eci-use-specs over both, ignored containers left out', async (t) => {
  const limited = {
    name: 'app',
    image: 'app',
    resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '3', memory: '5Gi' } },
  };
  t.same(billed({ containers: [limited] }), [
    'billed as 4 vCPU, 6 GiB (asked 3 vCPU, 5 GiB) in the 12 regions with more specifications (cn-hangzhou among them); 4 vCPU, 8 GiB elsewhere and for spot instances',
  ]);
  const useSpecs = { 'k8s.aliyun.com/eci-use-specs': '3-5Gi,ecs.c6.large' };
  const fromAnnotation = warningsOf(pod({ containers: [sized('1', '2Gi')] }, {}, useSpecs), 'billed-spec');
  t.same(
    fromAnnotation.map((w) => w.path),
    ['metadata.annotations["k8s.aliyun.com/eci-use-specs"]'],
    'the first entry of eci-use-specs decides',
  );
  t.match(fromAnnotation[0]?.message, /^billed as 4 vCPU, 6 GiB \(asked 3 vCPU, 5 GiB\)/);
  t.same(
    billed({ containers: [sized('7', '13Gi')] }, { 'k8s.aliyun.com/eci-use-specs': 'ecs.c6.2xlarge' }),
    [],
    'an ECS type: billed as that type, nothing to round',
  );
  const sidecar = sized('250m', '512Mi', { env: [{ name: '__ECI_RESOURCE_IGNORE__', value: 'TRUE' }] });
  t.same(
    billed({ containers: [sized('2', '4Gi'), sized('2', '4Gi'), sidecar] }),
    [],
    "the page's example: the marked sidecar is left out, 4 vCPU, 8 GiB fits",
  );
  const init = { ...sized('8', '16Gi'), name: 'init' };
  t.same(
    billed({ initContainers: [init], containers: [sized('1', '2Gi')] }),
    [],
    'an init container runs alone: 8 vCPU, 16 GiB fits',
  );
});

t.test('the Downward API: fields ECI does not fill in are flagged with their paths', async (t) => {
  const env = (fieldPath: string) => ({ name: 'V', valueFrom: { fieldRef: { fieldPath } } });
  const volumes: V1Volume[] = [
    {
      name: 'info',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: "metadata.labels['app']" } },
          { path: 'host', fieldRef: { fieldPath: 'status.hostIP' } },
        ],
      },
    },
    {
      name: 'all',
      projected: {
        sources: [{ downwardAPI: { items: [{ path: 'ips', fieldRef: { fieldPath: 'status.hostIPs' } }] } }],
      },
    },
  ];
  const containers = [
    {
      name: 'app',
      image: 'app',
      env: [env('metadata.name'), env("metadata.annotations['x']"), env('status.hostIP'), env('spec.nodeName')],
    },
  ];
  const warnings = warningsOf(pod({ containers, volumes }), 'downward-api');
  t.same(
    warnings.map((w) => w.path),
    [
      'spec.containers[0].env[2].valueFrom.fieldRef.fieldPath',
      'spec.volumes[0].downwardAPI.items[1].fieldRef.fieldPath',
      'spec.volumes[1].projected.sources[0].downwardAPI.items[0].fieldRef.fieldPath',
    ],
  );
  t.match(warnings[0]?.message, /ECI does not fill in status\.hostIP/);
});

t.test('securityContext: fields ECI does not apply, and sysctls a pod may not set', async (t) => {
  const spec: Partial<V1PodSpec> = {
    securityContext: {
      runAsUser: 1000,
      sysctls: [
        { name: 'kernel.shmmax', value: '1' },
        { name: 'net.ipv4.tcp_syncookies', value: '0' },
        { name: 'fs.mqueue.msg_max', value: '20' },
      ],
    },
    containers: [
      {
        name: 'app',
        image: 'app',
        securityContext: {
          runAsUser: 1,
          runAsGroup: 1,
          runAsNonRoot: true,
          privileged: false,
          capabilities: { drop: ['ALL'] },
        },
      },
    ],
    initContainers: [
      {
        name: 'init',
        image: 'app',
        securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
      },
    ],
  };
  const warnings = warningsOf(pod(spec), 'security-context');
  t.same(
    warnings.map((w) => w.path),
    ['spec.initContainers[0].securityContext', 'spec.securityContext.sysctls[1].name'],
    'the fields ECI applies are not flagged',
  );
  t.match(
    warnings[0]?.message,
    'allowPrivilegeEscalation, readOnlyRootFilesystem',
    "sorted, not in the manifest's order",
  );
  const fsGroup = warningsOf(pod({ securityContext: { fsGroup: 2000 } }), 'security-context');
  t.same(
    fsGroup.map((w) => w.path),
    ['spec.securityContext'],
  );
  t.match(fsGroup[0]?.message, /ECI does not apply fsGroup in a pod securityContext/);
});

t.test('cloud disks: at most 6 per instance, counted in inline and ephemeral volumes', async (t) => {
  const disk = (i: number): V1Volume =>
    i % 2 === 0
      ? { name: `d${i}`, csi: { driver: 'diskplugin.csi.alibabacloud.com' } }
      : {
          name: `d${i}`,
          ephemeral: {
            volumeClaimTemplate: {
              spec: {
                accessModes: ['ReadWriteOnce'],
                storageClassName: 'alicloud-disk-essd',
                resources: { requests: { storage: '20Gi' } },
              },
            },
          },
        };
  const judge = (count: number) =>
    decide(
      requestFor(
        pod({ volumes: [...Array.from({ length: count }, (_, i) => disk(i)), { name: 'tmp', emptyDir: {} }] }),
      ),
      serverless,
    );
  t.equal(judge(6).allowed, true, '6 disks');
  const seven = judge(7);
  t.equal(seven.allowed, false, '7 disks');
  t.match(
    seven.findings.map((f) => f.message),
    ['7 cloud disk volumes; an ECI instance mounts at most 6'],
  );
});

t.test(
  'check and explain: a 7 vCPU, 13 GiB Pod and a Deployment of it are admitted with the billed spec',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'billed-'));
    const template = { metadata: { labels: { app: 'big' } }, spec: { containers: [sized('7', '13Gi')] } };
    const file = join(dir, 'big.yaml');
    writeFileSync(
      file,
      [
        stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'big', namespace: 'default' },
          spec: template.spec,
        }),
        stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'big', namespace: 'default' },
          spec: { selector: { matchLabels: { app: 'big' } }, template },
        }),
      ].join('---\n'),
    );
    const checked = await run(['check', '-f', file]);
    t.equal(checked.code, 0, 'admitted');
    t.match(
      checked.stdout,
      /Pod\/default\/big[\s\S]*spec\.containers: billed as 8 vCPU, 14 GiB \(asked 7 vCPU, 13 GiB\)/,
    );
    t.match(
      checked.stdout,
      /Deployment\/default\/big[\s\S]*spec\.template\.spec\.containers: billed as 8 vCPU, 14 GiB \(asked 7 vCPU, 13 GiB\)/,
    );
    const explained = await run(['explain', '-f', file]);
    t.equal(explained.code, 0);
    t.equal(
      explained.stdout.match(/ {2}ECI spec: billed as 8 vCPU, 14 GiB \(asked 7 vCPU, 13 GiB\)/g)?.length,
      2,
      'explain shows it for both',
    );
    const plain = join(dir, 'plain.yaml');
    writeFileSync(
      plain,
      stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'plain' },
        spec: { containers: [{ name: 'app', image: 'app' }] },
      }),
    );
    t.match(
      (await run(['explain', '-f', plain])).stdout,
      "ECI spec: billed as 2 vCPU, 4 GiB, ECI's default: no container asks for CPU or memory",
    );
  },
);

t.test('explain reads back what /mutate recorded on a pod read from the cluster', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'injected-'));
  const record = {
    'selector/burst-spot': ['metadata.annotations["k8s.aliyun.com/eci-spot-strategy"]'],
    routing: ['spec.nodeSelector["type"]', 'spec.tolerations[0]'],
  };
  const write = (name: string, value: string) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default', annotations: { 'eci-admission/injected': value } },
        spec: { containers: [{ name: 'app', image: 'app' }] },
      }),
    );
    return file;
  };
  const read = await run(['explain', '-f', write('admitted', JSON.stringify(record))]);
  t.equal(read.code, 0);
  t.match(
    read.stdout,
    [
      '  set when it was admitted (eci-admission/injected):',
      '    metadata.annotations["k8s.aliyun.com/eci-spot-strategy"]: by selector/burst-spot',
      '    spec.nodeSelector["type"]: by routing',
      '    spec.tolerations[0]: by routing',
    ].join('\n'),
  );
  t.match(
    (await run(['explain', '-f', write('damaged', '{"routing": 3}')])).stdout,
    '  eci-admission/injected: not a record eci-admission wrote',
  );
});

t.test('ACS vSwitch and security group annotations: comma lists of their IDs, each once', async (t) => {
  const judge = (annotations: Record<string, string>) => decide(requestFor(pod({}, {}, annotations)), serverless);
  t.equal(
    judge({
      'network.alibabacloud.com/vswitch-ids': 'vsw-slw1a,vsw-lkjwo2',
      'network.alibabacloud.com/security-group-ids': 'sg-sljwo1,sg-lwirp2',
    }).allowed,
    true,
  );
  for (const [key, value] of [
    ['network.alibabacloud.com/vswitch-ids', 'vsw-a,sg-b'],
    ['network.alibabacloud.com/vswitch-ids', 'vsw-a,vsw-a'],
    ['network.alibabacloud.com/security-group-ids', 'sg-a, sg-b'],
  ] as const) {
    const decision = judge({ [key]: value });
    t.equal(decision.allowed, false, `${key}: ${value}`);
    t.match(decision.findings[0]?.path, `metadata.annotations["${key}"]`);
  }
});
