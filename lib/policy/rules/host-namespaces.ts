// hostNetwork, hostPID and hostIPC: each ECI pod is its own sandbox with no host to share.
import { podFieldRule } from '../field-rule.js';

type HostNamespaceField = 'hostNetwork' | 'hostPID' | 'hostIPC';

function hostNamespaceRule(id: string, field: HostNamespaceField, workaround: string) {
  return podFieldRule({
    id,
    summary: `\`${field}: true\``,
    message: `${field} is not supported on ECI: each pod is an isolated sandbox with no host to share`,
    workaround,
    fields: [{ scope: 'spec', field: [field], forbidden: { equals: true } }],
  });
}

export const hostNetwork = hostNamespaceRule(
  'host-network',
  'hostNetwork',
  'remove it and expose the pod with a Service of type LoadBalancer',
);
export const hostPid = hostNamespaceRule('host-pid', 'hostPID', 'remove it (ACS silently drops it)');
export const hostIpc = hostNamespaceRule('host-ipc', 'hostIPC', 'remove it (ACS silently drops it)');
