// deploy/ as `kubectl apply -k deploy` sees it: rendered by kubectl's own kustomize, then read
// as the API server would read the objects.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type {
  V1ConfigMap,
  V1Deployment,
  V1MutatingWebhookConfiguration,
  V1Service,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import t, { type Test } from 'tap';
import { parseAllDocuments } from 'yaml';
import { readWebhookConfigurations } from '../lib/cluster/webhook-configurations.js';
import { ConfigFile } from '../lib/config/config-file.js';
import { settingsOf } from '../lib/config/settings.js';
import { scanTargets } from '../lib/scan/targets.js';
import { handledKinds } from '../lib/workload/kinds.js';
import { compileLabelSelector } from '../lib/profile/label-selector.js';
import { profileLocations } from '../lib/profile/locations.js';
import { readProfileFile } from '../lib/profile/profile.js';
import { serviceDnsNames } from '../lib/tls/certificates.js';
import { policyContext } from '../lib/policy/context.js';
import { durationMsOf } from '../lib/cli/flags.js';
import { backgroundScanLease, packagePath, shutdown } from '../lib/facts.js';

const deployDir = packagePath('deploy/');

interface Rendered {
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string };
}

function kustomize(dir: string): Rendered[] {
  const yaml = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  return parseAllDocuments(yaml).map((document) => document.toJS() as Rendered);
}

function one<T>(objects: readonly Rendered[], kind: string): T {
  const found = objects.filter((object) => object.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as unknown as T;
}

const objects = kustomize(deployDir);
const mutating = one<V1MutatingWebhookConfiguration>(objects, 'MutatingWebhookConfiguration');
const validating = one<V1ValidatingWebhookConfiguration>(objects, 'ValidatingWebhookConfiguration');
const webhooks = [...(mutating.webhooks ?? []), ...(validating.webhooks ?? [])];

t.test('the base renders every object the install needs, all in the eci-admission namespace', async (t) => {
  const kinds = objects.map((object) => `${object.kind}/${object.metadata.name}`).sort();
  t.same(kinds, [
    'ClusterRole/eci-admission',
    'ClusterRoleBinding/eci-admission',
    'ConfigMap/eci-admission-config',
    'Deployment/eci-admission',
    'MutatingWebhookConfiguration/eci-admission',
    'Namespace/eci-admission',
    'NetworkPolicy/eci-admission',
    'PodDisruptionBudget/eci-admission',
    'Role/eci-admission',
    'RoleBinding/eci-admission',
    'Service/eci-admission',
    'ServiceAccount/eci-admission',
    'ValidatingWebhookConfiguration/eci-admission',
  ]);
  for (const object of objects.filter((o) =>
    ['ConfigMap', 'Deployment', 'Service', 'ServiceAccount', 'PodDisruptionBudget', 'NetworkPolicy'].includes(o.kind),
  )) {
    t.equal(object.metadata.namespace, 'eci-admission', `${object.kind} namespace`);
  }
  const profiles = new Set(profileLocations.map((location) => `${location.namespace}/${location.name}`));
  t.notOk(
    objects.some(
      (object) => object.kind === 'ConfigMap' && profiles.has(`${object.metadata.namespace}/${object.metadata.name}`),
    ),
    'no profile is applied by the base',
  );
  t.notOk(
    objects.some((object) => object.kind === 'Secret'),
    'nor a key',
  );
});

t.test('every webhook is side-effect free, speaks v1, times out quickly and spares its own namespace', async (t) => {
  t.equal(webhooks.length, 4);
  const ownNamespace = { 'kubernetes.io/metadata.name': 'eci-admission' };
  const userNamespace = { 'kubernetes.io/metadata.name': 'shop' };
  for (const webhook of webhooks) {
    t.equal(webhook.sideEffects, 'None', `${webhook.name} sideEffects`);
    t.same(webhook.admissionReviewVersions, ['v1'], `${webhook.name} reviews`);
    t.ok(
      webhook.timeoutSeconds !== undefined && webhook.timeoutSeconds <= 10,
      `${webhook.name} timeout ${webhook.timeoutSeconds}`,
    );
    t.ok(
      webhook.failurePolicy === 'Ignore' || webhook.failurePolicy === 'Fail',
      `${webhook.name} failurePolicy chosen`,
    );
    t.equal(webhook.clientConfig.caBundle, undefined, `${webhook.name} caBundle left to certs/registration`);
    t.match(webhook.clientConfig.service, { name: 'eci-admission', namespace: 'eci-admission', port: 443 });
    const selects = compileLabelSelector(webhook.namespaceSelector);
    t.notOk(selects(ownNamespace), `${webhook.name} never sees the webhook's own namespace`);
  }
  const podWebhooks = webhooks.filter((webhook) => webhook.rules?.some((rule) => rule.resources?.includes('pods')));
  t.equal(podWebhooks.length, 2);
  for (const webhook of podWebhooks) {
    const selects = compileLabelSelector(webhook.namespaceSelector);
    t.notOk(selects({ 'kubernetes.io/metadata.name': 'kube-system' }), `${webhook.name} spares kube-system`);
    t.ok(selects(userNamespace), `${webhook.name} sees user namespaces`);
  }
});

t.test('the webhooks route what the server judges', async (t) => {
  const [mutate] = mutating.webhooks ?? [];
  t.equal(mutate?.clientConfig.service?.path, '/mutate');
  t.equal(mutate?.reinvocationPolicy, 'IfNeeded');
  t.equal(mutate?.failurePolicy, 'Ignore', 'pods still start when the webhook is down');
  t.same(
    mutate?.rules?.map((rule) => [rule.operations, rule.resources]),
    [[['CREATE'], ['pods']]],
  );
  const routed = (validating.webhooks ?? []).flatMap((webhook) => {
    t.equal(webhook.clientConfig.service?.path, '/validate', webhook.name);
    return (webhook.rules ?? []).flatMap((rule) =>
      (rule.resources ?? []).map((resource) => `${rule.apiGroups?.[0] || 'core'}/${resource}`),
    );
  });
  // The table of handled kinds and the rules the cluster applies must not drift apart.
  const handled = handledKinds.map((kind) => `${kind.group || 'core'}/${kind.resource}`);
  t.same(
    [...new Set(routed)].filter((resource) => !handled.includes(resource.split('/').slice(0, 2).join('/'))),
    [],
    'every rule names a handled kind (or its subresource)',
  );
  for (const resource of handled) t.ok(routed.includes(resource), `${resource} goes to /validate`);
  const profiles = validating.webhooks?.find((webhook) =>
    webhook.rules?.some((rule) => rule.resources?.includes('configmaps')),
  );
  t.equal(profiles?.failurePolicy, 'Ignore', 'kube-system ConfigMap writes are never blocked by an outage');
  t.ok(compileLabelSelector(profiles?.namespaceSelector)({ 'kubernetes.io/metadata.name': 'kube-system' }));
  const names = [...String(profiles?.matchConditions?.[0]?.expression).matchAll(/'([^']+)'/g)]
    .map((match) => match[1])
    .sort();
  t.same(
    names,
    profileLocations.map((location) => location.name).sort(),
    'the matchCondition names exactly the profile locations',
  );
});

t.test('the Deployment is hardened and the Service reaches its port', async (t) => {
  const deployment = one<V1Deployment>(objects, 'Deployment');
  const pod = deployment.spec!.template.spec!;
  const [container] = pod.containers;
  t.equal(deployment.spec?.replicas, 2);
  t.ok((pod.topologySpreadConstraints ?? []).length > 0, 'spread over topology');
  t.match(pod.securityContext, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  t.match(container?.securityContext, {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  t.notOk(container?.securityContext?.privileged, 'not privileged');
  t.ok(
    container?.resources?.requests?.cpu && container.resources.requests.memory && container.resources.limits?.memory,
    'requests and limits',
  );
  // The heap cap is what keeps the measured peak (bench/README.md: Memory and limits) under the limit.
  const heapMiB = Number(
    /--max-old-space-size=(\d+)/.exec(container?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '')?.[1],
  );
  t.ok(
    heapMiB > 0 && heapMiB * 2.5 <= parseInt(container?.resources?.limits?.memory ?? '0', 10),
    `a ${heapMiB} MiB heap well under the ${container?.resources?.limits?.memory} limit`,
  );
  t.match(container?.readinessProbe?.httpGet, { scheme: 'HTTPS', path: '/readyz' });
  t.match(container?.livenessProbe?.httpGet, { scheme: 'HTTPS', path: '/healthz' });
  t.equal(container?.image, 'eci-admission:0.1.0', 'the image placeholder from the images: entry');

  const args = container?.args ?? [];
  t.equal(args[0], 'serve');
  const serverPort = Number(args.find((arg) => arg.startsWith('--port='))?.split('=')[1]);
  const certDir = args.find((arg) => arg.startsWith('--cert-dir='))?.split('=')[1];
  t.equal(serverPort, 8443);
  const mount = container?.volumeMounts?.find((m) => m.mountPath === certDir);
  t.ok(mount?.readOnly, 'the TLS Secret is mounted read-only at --cert-dir');
  t.equal(
    pod.volumes?.find((v) => v.name === mount?.name)?.secret?.secretName,
    'eci-admission-tls',
    'the Secret `certs --secret` writes',
  );

  const service = one<V1Service>(objects, 'Service');
  const [port] = service.spec?.ports ?? [];
  t.equal(port?.port, 443);
  const target = container?.ports?.find((p) => p.name === port?.targetPort || p.containerPort === port?.targetPort);
  t.equal(target?.containerPort, serverPort, 'Service 443 -> the port serve listens on');
  t.same(service.spec?.selector, deployment.spec?.selector.matchLabels, 'the Service selects the Deployment');
});

t.test('RBAC reads only what serve watches, and the ConfigMap only by name', async (t) => {
  const role = one<{
    metadata: { namespace: string };
    rules: Array<{ resources: string[]; resourceNames?: string[]; verbs: string[] }>;
  }>(objects, 'Role');
  const [namespace, ...others] = new Set(profileLocations.map((location) => location.namespace));
  t.same(others, [], 'the profiles share one namespace, so one Role covers them');
  t.equal(role.metadata.namespace, namespace);
  t.same(role.rules, [
    {
      apiGroups: [''],
      resources: ['configmaps'],
      resourceNames: profileLocations.map((location) => location.name),
      verbs: ['get', 'list', 'watch'],
    },
  ]);
  const clusterRole = one<{ rules: Array<{ resources: string[]; verbs: string[] }> }>(objects, 'ClusterRole');
  t.same(
    clusterRole.rules.map((rule) => [rule.resources, rule.verbs]),
    [[['namespaces'], ['get', 'list', 'watch']]],
  );
});

/** deploy/ with one of its components, as an overlay of a user's would render it. */
function withComponent(t: Test, component: string): Rendered[] {
  const overlay = t.testdir();
  // kustomize takes only relative references to other kustomizations.
  writeFileSync(
    join(overlay, 'kustomization.yaml'),
    `resources: [${relative(overlay, deployDir)}]\ncomponents: [${relative(overlay, join(deployDir, component))}]\n`,
  );
  return kustomize(overlay);
}

const mountedSecret = (deployment: V1Deployment) =>
  deployment.spec?.template.spec?.volumes?.find((volume) => volume.name === 'certs')?.secret?.secretName;

t.test('the registration component adds --register and get/patch by name only', async (t) => {
  const registered = withComponent(t, 'registration');
  const deployment = one<V1Deployment>(registered, 'Deployment');
  t.ok(deployment.spec?.template.spec?.containers[0]?.args?.includes('--register'));
  const roles = registered.filter((object) => object.kind === 'ClusterRole') as unknown as Array<{
    metadata: { name: string };
    rules: Array<{ resourceNames?: string[]; verbs: string[] }>;
  }>;
  const registration = roles.find((role) => role.metadata.name === 'eci-admission-registration');
  t.same(
    registration?.rules.map((rule) => [rule.resourceNames, rule.verbs]),
    [[['eci-admission'], ['get', 'patch']]],
  );
});

t.test(
  'the background-scan component adds --background-scan, list on every scanned kind and the reports',
  async (t) => {
    const scanning = withComponent(t, 'background-scan');
    const args = one<V1Deployment>(scanning, 'Deployment').spec?.template.spec?.containers[0]?.args ?? [];
    t.ok(
      args.some((arg) => arg.startsWith('--background-scan=')),
      args.join(' '),
    );
    const role = scanning.find(
      (object) => object.kind === 'ClusterRole' && object.metadata?.name === 'eci-admission-background-scan',
    ) as unknown as { rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> };
    const granted = (verb: string) =>
      role.rules
        .filter((rule) => rule.verbs.includes(verb))
        .flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.map((resource) => `${resource}.${group}`)))
        .sort();
    const reports = ['clusterpolicyreports.wgpolicyk8s.io', 'policyreports.wgpolicyk8s.io'];
    const scanned = scanTargets.map((target) =>
      target.resource.includes('.') ? target.resource : `${target.resource}.`,
    );
    t.same(granted('list'), [...scanned, ...reports].sort(), 'list: exactly the kinds the scan lists, and the reports');
    for (const verb of ['get', 'create', 'patch', 'delete'])
      t.same(granted(verb), reports, `${verb}: the reports only`);
    t.same(granted('watch'), [], 'no watch: a pass lists');
  },
);

t.test('the background-scan component grants the Lease of its election, by name, in its own namespace', async (t) => {
  const scanning = withComponent(t, 'background-scan');
  const named = <T>(kind: string) =>
    scanning.find((object) => object.kind === kind && object.metadata.name === 'eci-admission-background-scan') as T;
  const role = named<{ metadata: { namespace: string }; rules: unknown[] }>('Role');
  const deployment = one<V1Deployment>(scanning, 'Deployment');
  const namespace = deployment.metadata?.namespace;
  // The pod's namespace, which ownNamespace() reads from its service account.
  t.equal(role.metadata.namespace, namespace, "a Role in the webhook's namespace");
  // What leases.ts asks: get the Lease, create it when there is none, update it to renew or release it.
  t.same(role.rules, [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    {
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      resourceNames: [backgroundScanLease],
      verbs: ['get', 'update'],
    },
  ]);
  t.match(named('RoleBinding'), {
    metadata: { namespace },
    roleRef: { kind: 'Role', name: 'eci-admission-background-scan' },
    subjects: [{ kind: 'ServiceAccount', name: deployment.spec?.template.spec?.serviceAccountName, namespace }],
  });
  t.notMatch(JSON.stringify(objects), 'coordination.k8s.io', 'the base grants no Lease');
});

t.test('the cert-manager component issues the Secret the Deployment mounts and injects its CA', async (t) => {
  const rendered = withComponent(t, 'cert-manager');
  const certificates = rendered.filter((object) => object.kind === 'Certificate') as unknown as Array<{
    metadata: { name: string; namespace: string };
    spec: { secretName: string; dnsNames?: string[]; isCA?: boolean };
  }>;
  const serving = certificates.find((certificate) => !certificate.spec.isCA);
  t.same(
    serving?.spec.dnsNames,
    serviceDnsNames('eci-admission', 'eci-admission'),
    'the names the API server calls the Service by',
  );
  t.equal(
    serving?.spec.secretName,
    mountedSecret(one<V1Deployment>(rendered, 'Deployment')),
    'the Secret the Deployment mounts',
  );
  for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
    const configuration = one<{ metadata: { annotations?: Record<string, string> } }>(rendered, kind);
    t.equal(
      configuration.metadata.annotations?.['cert-manager.io/inject-ca-from'],
      `${serving?.metadata.namespace}/${serving?.metadata.name}`,
      `${kind}: the CA is injected`,
    );
  }
});

t.test(
  'the NetworkPolicy admits the webhook port only; the ServiceMonitor scrapes it with the webhook CA',
  async (t) => {
    const deployment = one<V1Deployment>(objects, 'Deployment');
    const policy = one<{
      spec: {
        podSelector: { matchLabels: Record<string, string> };
        policyTypes: string[];
        ingress: Array<{ from?: unknown; ports: Array<{ port: string }> }>;
      };
    }>(objects, 'NetworkPolicy');
    t.same(policy.spec.podSelector.matchLabels, deployment.spec?.selector.matchLabels);
    t.same(policy.spec.policyTypes, ['Ingress']);
    t.same(
      policy.spec.ingress.map((rule) => rule.ports.map((port) => port.port)),
      [['https']],
    );
    t.ok(
      deployment.spec?.template.spec?.containers[0]?.ports?.some((port) => port.name === 'https'),
      'the port name exists on the container',
    );
    const monitor = one<{
      spec: {
        endpoints: Array<{
          port: string;
          path: string;
          tlsConfig: { serverName: string; ca: { secret: { name: string; key: string } } };
        }>;
      };
    }>(withComponent(t, 'monitoring'), 'ServiceMonitor');
    const [endpoint] = monitor.spec.endpoints;
    t.equal(endpoint?.port, one<V1Service>(objects, 'Service').spec?.ports?.[0]?.name);
    t.equal(endpoint?.path, '/metrics');
    t.equal(endpoint?.tlsConfig.ca.secret.name, mountedSecret(deployment));
    t.ok(serviceDnsNames('eci-admission', 'eci-admission').includes(endpoint?.tlsConfig.serverName ?? ''));
  },
);

t.test('the Deployment reads its settings from the ConfigMap, mounted so that edits reach it', async (t) => {
  const pod = one<V1Deployment>(objects, 'Deployment').spec!.template.spec!;
  const [container] = pod.containers;
  const config = container?.args?.find((arg) => arg.startsWith('--config='))?.split('=')[1] ?? '';
  const restart = [
    '--host=0.0.0.0',
    '--cert-dir=/certs',
    '--port=8443',
    '--log-format=json',
    `--config=${config}`,
    `--shutdown-delay=${shutdown.delayMs / 1000}s`,
  ];
  t.same(container?.args, ['serve', ...restart], 'only what needs a restart is a flag');
  // serve alone listens on 127.0.0.1 (a local run); in the cluster, on every interface.
  t.ok(container?.args?.includes('--host=0.0.0.0'), 'on every interface');
  const mount = container?.volumeMounts?.find((m) => m.mountPath === dirname(config));
  t.ok(mount?.readOnly, 'mounted read-only at the folder of --config');
  t.equal(mount?.subPath, undefined, 'as a folder: the kubelet never updates a subPath');
  const configMap = one<V1ConfigMap>(objects, 'ConfigMap');
  t.equal(pod.volumes?.find((v) => v.name === mount?.name)?.configMap?.name, configMap.metadata?.name);
  const file = join(t.testdir({ [basename(config)]: configMap.data?.[basename(config)] ?? '' }), basename(config));
  const { settings } = await new ConfigFile(file, {}).read();
  t.same(settings, settingsOf({}), 'a valid config file that says the defaults');
});

t.test('the grace period outlasts the shutdown delay and the drain; the probe fails within the delay', async (t) => {
  const pod = one<V1Deployment>(objects, 'Deployment').spec!.template.spec!;
  const [container] = pod.containers;
  const delay = container?.args?.find((arg) => arg.startsWith('--shutdown-delay='))?.split('=')[1];
  const delayMs = durationMsOf(delay ?? '') ?? Number.NaN;
  const probe = container?.readinessProbe;
  // Kubernetes' defaults for what is left out.
  const unreadyMs = (probe?.periodSeconds ?? 10) * (probe?.failureThreshold ?? 3) * 1000;
  t.ok(unreadyMs <= delayMs, `unready to the kubelet after ${unreadyMs} ms, within the ${delay} delay`);
  const graceMs = (pod.terminationGracePeriodSeconds ?? 30) * 1000;
  t.ok(delayMs + shutdown.drainMs < graceMs, `delay and drain (${shutdown.drainMs} ms) end before the SIGKILL`);
  t.equal(container?.lifecycle?.preStop, undefined, "no preStop: the delay is serve's own");
});

t.test('deploy/webhook-configurations.yaml is what registration reads, and the example profile is valid', async (t) => {
  const configurations = readWebhookConfigurations();
  t.same(
    configurations.mutating.webhooks?.map((w) => w.name),
    mutating.webhooks?.map((w) => w.name),
  );
  t.same(
    configurations.validating.webhooks?.map((w) => w.name),
    validating.webhooks?.map((w) => w.name),
  );
  const example = await readProfileFile(
    join(deployDir, 'examples', 'eci-profile.yaml'),
    policyContext({ clusterMode: 'serverless' }).schemas,
  );
  t.ok(example.profile, 'the example parses');
  t.same(
    example.problems.filter((problem) => problem.severity === 'deny'),
    [],
  );
});
