// 10. The whole cluster: controllers make the pods, the webhook mutates them, the scheduler binds
// them and a node runs them. An ACK cluster with virtual nodes (hybrid): a namespace labelled
// alibabacloud.com/eci=true bursts to the virtual node, an unlabelled one stays on the ECS node,
// and what ECI would refuse either never reaches a node (the webhook) or fails there (without it).
import type { CoreV1Event, KubernetesObject, V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import { run } from '../../test/helpers/cli.js';
import {
  applyProfile,
  deleteProfile,
  kubectl,
  kubectlObjects,
  kubectlOk,
  namespace,
  withoutWebhooks,
  type Selector,
} from '../helpers.js';
import { ordinaryNodeName, virtualNodeName } from '../node-names.js';
import { waitFor } from '../processes.js';
import { restartWebhook, webhookArgs } from '../webhook.js';

const eciNs = 'e2e-burst';
const plainNs = 'e2e-ecs';
const spot = 'k8s.aliyun.com/eci-spot-strategy';
const profile = (annotations: Record<string, string>): Selector[] => [
  {
    name: 'burst-spot',
    namespaceSelector: { matchLabels: { team: 'burst' } },
    effect: { annotations, labels: { 'eci-selector': 'burst-spot' } },
  },
];

const template = (app: string, spec: Record<string, unknown> = {}) => ({
  metadata: { labels: { app } },
  spec: {
    containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '500m', memory: '1Gi' } } }],
    ...spec,
  },
});
const deployment = (name: string, ns: string, spec: Record<string, unknown> = {}): KubernetesObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: template(name, spec) },
  }) as KubernetesObject;
const cronJob = (name: string, ns: string, spec: Record<string, unknown> = {}): KubernetesObject =>
  ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: ns },
    // Every minute, from the first: its controller makes the first Job within a minute.
    spec: {
      schedule: '* * * * *',
      concurrencyPolicy: 'Forbid',
      jobTemplate: { spec: { template: template(name, { restartPolicy: 'Never', ...spec }) } },
    },
  }) as KubernetesObject;

async function pods(ns: string, selector: string): Promise<V1Pod[]> {
  return (JSON.parse(await kubectlOk(['get', 'pods', '-n', ns, '-l', selector, '-o', 'json'])) as { items: V1Pod[] })
    .items;
}

async function rolledOut(name: string, ns: string): Promise<void> {
  await kubectlOk(['rollout', 'status', `deployment/${name}`, '-n', ns, '--timeout=90s']);
}

/** The virtual node's own toleration and nodeSelector: what the webhook's routing adds. */
function routedToVirtualNode(pod: V1Pod): boolean {
  const tolerated =
    pod.spec?.tolerations?.some((toleration) => toleration.key === 'virtual-kubelet.io/provider') ?? false;
  return pod.spec?.nodeSelector?.type === 'virtual-kubelet' && tolerated;
}

t.before(async () => {
  const args = webhookArgs();
  await restartWebhook(['--cluster-mode=hybrid']);
  t.teardown(() => restartWebhook(args).then(() => undefined));
  await namespace(eciNs, { 'alibabacloud.com/eci': 'true', team: 'burst' });
  await namespace(plainNs);
  await applyProfile(profile({ [spot]: 'SpotAsPriceGo' }));
  // Its first Job comes at the next minute: made now, checked last.
  const created = await kubectlObjects(['apply'], cronJob('nightly', eciNs));
  if (created.code !== 0) throw new Error(`the CronJob was refused: ${created.stderr}`);
});
t.teardown(deleteProfile);

t.test(
  "a Deployment of an ECI namespace: its ReplicaSet's pods carry the profile, are bound to the virtual node and Running",
  async (t) => {
    const applied = await kubectlObjects(['apply'], deployment('web', eciNs));
    t.equal(applied.code, 0, applied.stderr);
    await rolledOut('web', eciNs);
    const running = await pods(eciNs, 'app=web');
    t.equal(running.length, 2, 'both replicas');
    for (const pod of running) {
      t.equal(pod.metadata?.ownerReferences?.[0]?.kind, 'ReplicaSet', 'made by the ReplicaSet controller');
      t.equal(pod.spec?.nodeName, virtualNodeName, 'bound by the scheduler to the virtual node');
      t.equal(pod.status?.phase, 'Running');
      t.ok(routedToVirtualNode(pod), 'routed by the webhook');
      t.equal(pod.metadata?.annotations?.[spot], 'SpotAsPriceGo', "the eci-profile's annotation");
      t.equal(pod.metadata?.labels?.['eci-selector'], 'burst-spot', 'and its label');
    }
  },
);

t.test('a Job completes on the virtual node', async (t) => {
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'once', namespace: eciNs },
    spec: { template: template('once', { restartPolicy: 'Never' }) },
  };
  t.equal((await kubectlObjects(['apply'], job as KubernetesObject)).code, 0);
  await kubectlOk(['wait', '--for=condition=Complete', 'job/once', '-n', eciNs, '--timeout=90s']);
  const [done] = await pods(eciNs, 'app=once');
  t.equal(done?.spec?.nodeName, virtualNodeName);
  t.equal(done?.status?.phase, 'Succeeded');
  t.equal(done?.metadata?.annotations?.[spot], 'SpotAsPriceGo');
});

t.test('a DaemonSet and a hostPath Deployment are refused at apply, and no pod is ever made for them', async (t) => {
  const daemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: eciNs },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: template('agent') },
  };
  const refusedDaemonSet = await kubectlObjects(['apply'], daemonSet as KubernetesObject);
  t.equal(refusedDaemonSet.code, 1);
  t.match(refusedDaemonSet.stderr, 'daemonset: kind: DaemonSets are not supported on ECI');
  const hostPath = deployment('logs', eciNs, { volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] });
  const refusedDeployment = await kubectlObjects(['apply'], hostPath);
  t.equal(refusedDeployment.code, 1);
  t.match(refusedDeployment.stderr, 'host-path: spec.template.spec.volumes[0].hostPath (logs)');
  // Nothing was stored, so no controller has anything to make pods from.
  t.match(
    (await kubectl(['get', 'daemonset/agent', 'deployment/logs', '-n', eciNs])).stderr,
    /NotFound[\s\S]*NotFound/,
  );
  t.same(await pods(eciNs, 'app in (agent,logs)'), []);
});

t.test(
  'hybrid: the same Deployment in an unlabelled namespace lands on the ECS node, with nothing of ECI',
  async (t) => {
    const applied = await kubectlObjects(['apply'], deployment('web', plainNs));
    t.equal(applied.code, 0, applied.stderr);
    await rolledOut('web', plainNs);
    const running = await pods(plainNs, 'app=web');
    t.equal(running.length, 2);
    for (const pod of running) {
      t.equal(pod.spec?.nodeName, ordinaryNodeName);
      t.equal(pod.status?.phase, 'Running');
      t.notOk(routedToVirtualNode(pod), 'not routed');
      t.same(
        Object.keys(pod.metadata?.annotations ?? {}).filter(
          (key) => key.includes('aliyun') || key.includes('alibabacloud'),
        ),
        [],
        'no ECI annotation',
      );
    }
  },
);

t.test('a change to the eci-profile reaches the pods of the next rollout', async (t) => {
  await applyProfile(profile({ [spot]: 'SpotWithPriceLimit', 'k8s.aliyun.com/eci-spot-price-limit': '0.25' }));
  await kubectlOk(['rollout', 'restart', 'deployment/web', '-n', eciNs]);
  await rolledOut('web', eciNs);
  // The old ReplicaSet's pods are gone once the node has stopped them.
  await waitFor('the old pods to go', async () => (await pods(eciNs, 'app=web')).length === 2, 60_000);
  for (const pod of await pods(eciNs, 'app=web')) {
    t.equal(
      pod.metadata?.annotations?.[spot],
      'SpotWithPriceLimit',
      `${pod.metadata?.name} has the new profile's value`,
    );
    t.equal(pod.spec?.nodeName, virtualNodeName);
  }
});

t.test('without the webhook, what it refuses fails on the virtual node as ECI fails it: ProviderFailed', async (t) => {
  await kubectlOk(['delete', 'pod/logs', 'pod/clean', '-n', eciNs, '--ignore-not-found', '--wait']);
  await withoutWebhooks(t);
  // Sent to the virtual node by hand, as a user without the webhook would.
  const routing = {
    nodeSelector: { type: 'virtual-kubelet' },
    tolerations: [
      { key: 'virtual-kubelet.io/provider', operator: 'Equal', value: 'alibabacloud', effect: 'NoSchedule' },
    ],
    restartPolicy: 'Never',
  };
  const hostPathPod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'logs', namespace: eciNs },
    spec: {
      ...template('logs', { ...routing, volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] }).spec,
    } as V1Pod['spec'],
  };
  const cleanPod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'clean', namespace: eciNs },
    spec: { ...template('clean', routing).spec } as V1Pod['spec'],
  };
  t.equal((await kubectlObjects(['create'], hostPathPod)).code, 0, 'admitted: nothing checks it');
  t.equal((await kubectlObjects(['create'], cleanPod)).code, 0);

  await kubectlOk(['wait', '--for=jsonpath={.status.phase}=Failed', 'pod/logs', '-n', eciNs, '--timeout=60s']);
  const failed = JSON.parse(await kubectlOk(['get', 'pod/logs', '-n', eciNs, '-o', 'json'])) as V1Pod;
  t.equal(failed.spec?.nodeName, virtualNodeName, 'bound to the virtual node');
  t.equal(failed.status?.reason, 'ProviderFailed');
  t.match(failed.status?.message, 'volume "logs": hostPath is not supported');
  const events = JSON.parse(
    await kubectlOk(['get', 'events', '-n', eciNs, '--field-selector', 'involvedObject.name=logs', '-o', 'json']),
  ) as { items: CoreV1Event[] };
  t.ok(
    events.items.some((event) => event.reason === 'ProviderCreateFailed' && event.type === 'Warning'),
    'a ProviderCreateFailed Event',
  );
  await kubectlOk(['wait', '--for=jsonpath={.status.phase}=Running', 'pod/clean', '-n', eciNs, '--timeout=60s']);

  // The same pod, checked as the webhook would have checked it.
  const checked = await run(['check', '-f', '-', '--cluster-mode', 'hybrid'], { stdin: JSON.stringify(hostPathPod) });
  t.equal(checked.code, 1, 'check refuses it');
  t.match(checked.stdout, 'host-path: spec.volumes[0].hostPath (logs)');
  const cleanChecked = await run(['check', '-f', '-', '--cluster-mode', 'hybrid'], { stdin: JSON.stringify(cleanPod) });
  t.equal(cleanChecked.code, 0, `check admits the pod that runs: ${cleanChecked.stdout}`);
});

t.test("a CronJob's pods are mutated, routed and run on the virtual node like any other", async (t) => {
  await waitFor(
    "the CronJob's first Job to complete",
    async () => {
      const jobs = JSON.parse(await kubectlOk(['get', 'jobs', '-n', eciNs, '-o', 'json'])) as {
        items: Array<{
          metadata: { ownerReferences?: Array<{ kind: string; name: string }> };
          status?: { succeeded?: number };
        }>;
      };
      return jobs.items.some(
        (job) => job.metadata.ownerReferences?.[0]?.name === 'nightly' && (job.status?.succeeded ?? 0) > 0,
      );
    },
    120_000,
  );
  const [done] = (await pods(eciNs, 'app=nightly')).filter((pod) => pod.status?.phase === 'Succeeded');
  t.equal(done?.spec?.nodeName, virtualNodeName);
  t.ok(done && routedToVirtualNode(done), 'routed');
  t.ok(done?.metadata?.annotations?.[spot], "the eci-profile's annotation");
  const refused = await kubectlObjects(
    ['apply'],
    cronJob('nightly-logs', eciNs, { volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] }),
  );
  t.equal(refused.code, 1, 'a hostPath CronJob is refused at apply');
  t.match(refused.stderr, 'host-path: spec.jobTemplate.spec.template.spec.volumes[0].hostPath (logs)');
});
