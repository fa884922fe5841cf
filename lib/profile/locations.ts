// Where the profile ConfigMaps live, in the order the webhook prefers them. The one definition:
// the cluster watch, the profile named by /readyz, the eci-profile rule, the RBAC in deploy/
// (a test compares them) and the tests' stand-in API all read this list.
//
// ACS clusters read `kube-system/acs-profile` (acs-virtual-node: "When ACS creates a pod, it
// reads the ConfigMap named acs-profile in the kube-system namespace"):
//   https://help.aliyun.com/en/cs/user-guide/configure-eci-profile
// ACK clusters with virtual nodes and ACK Serverless read `kube-system/eci-profile`
// (ack-virtual-node's ECI Scheduler and ECI Effect):
//   https://www.alibabacloud.com/help/doc-detail/363068.htm
// When both exist the acs-profile wins: its component creates the cluster's pods on ACS, while an
// eci-profile beside it is read only by ack-virtual-node, which an ACS cluster does not run.

export interface ProfileLocation {
  readonly namespace: string;
  readonly name: string;
}

export const profileLocations: readonly ProfileLocation[] = [
  { namespace: 'kube-system', name: 'acs-profile' },
  { namespace: 'kube-system', name: 'eci-profile' },
];

/** `kube-system/eci-profile`. */
export function locationName(location: ProfileLocation): string {
  return `${location.namespace}/${location.name}`;
}

export function isProfileLocation(namespace: string | undefined, name: string | undefined): boolean {
  return profileLocations.some((location) => location.namespace === namespace && location.name === name);
}
