// Pod fields ECI applies, as data: what is outside these lists is ignored there or not supported.
// - The Downward API: "You can use the fieldRef field to assign the values of the following ECI
//   fields to environment variables: metadata.name, metadata.namespace, metadata.uid,
//   metadata.labels['<KEY>'], and metadata.annotations['<KEY>']" and "the following spec and
//   status fields ... spec.serviceAccountName, spec.nodeName, status.podIP": ECI, "Use the
//   Downward API", https://www.alibabacloud.com/help/doc-detail/141788.htm. status.hostIP (the
//   node's address, which a virtual node does not have for a pod) is not among them.
// - Security contexts: "Pod security context ... sysctls, runAsUser"; "Container security context
//   ... runAsUser, runAsGroup, runAsNonRoot, privileged, capabilities" (updated 2026-03-31), and the
//   sysctls that may be set: "kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*, net.* (except
//   net.ipv4.tcp_syncookies), vm.min_free_kbytes"; others only after a support ticket, through the
//   k8s.aliyun.com/eci-host-sysctls annotation: ECI, "Configure a security context",
//   https://www.alibabacloud.com/help/doc-detail/462800.html

/** fieldRef paths ECI fills in; `metadata.labels[...]` and `metadata.annotations[...]` by prefix. */
export const downwardApiFields: ReadonlySet<string> = new Set([
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'metadata.labels',
  'metadata.annotations',
  'spec.serviceAccountName',
  'spec.nodeName',
  'status.podIP',
]);

/** Whether ECI fills in this fieldRef path. */
export function isDownwardApiField(fieldPath: string): boolean {
  return downwardApiFields.has(fieldPath.replace(/\[.*\]$/, ''));
}

/** The securityContext fields ECI applies, at each level. */
export const securityContextFields = {
  pod: ['sysctls', 'runAsUser'],
  container: ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'privileged', 'capabilities'],
} as const satisfies Record<string, readonly string[]>;

/** The sysctls a pod may set: name patterns (a trailing `*` a prefix), and those excepted. */
export const podSysctls = {
  allowed: ['kernel.shm*', 'kernel.msg*', 'kernel.sem', 'fs.mqueue.*', 'net.*', 'vm.min_free_kbytes'],
  except: ['net.ipv4.tcp_syncookies'],
} as const;

export const hostSysctlsAnnotation = 'k8s.aliyun.com/eci-host-sysctls';

export function isPodSysctl(name: string): boolean {
  if ((podSysctls.except as readonly string[]).includes(name)) return false;
  return podSysctls.allowed.some((pattern) =>
    pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern,
  );
}
