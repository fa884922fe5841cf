// What ECI does with `securityContext.capabilities.add`, as data. Sources:
// - ECI, "Configure a security context for a pod or container":
//   https://www.alibabacloud.com/help/en/eci/user-guide/configure-a-security-context-for-an-elastic-container-instance-or-a-container
//   (also https://www.alibabacloud.com/help/doc-detail/462800.html): a container security context
//   may set runAsUser, runAsGroup, runAsNonRoot, privileged and capabilities. The parts of that
//   page read for this table did not show its capability list; the verdicts for NET_ADMIN
//   (allowed), NET_RAW (after a support ticket), ALL, SYS_ADMIN and SYS_MODULE (refused) are the
//   project's ECI facts, recorded when the rule was written. Check them against the page when it changes.
// - The runtime's default set (containerd and Docker grant it to every container, so adding one
//   of them changes nothing): containerd oci/spec.go defaultUnixCaps, Docker's "Runtime privilege
//   and Linux capabilities". NET_RAW is in that set but ECI withholds it, so it is not listed here.
// Any capability not listed gets a warning, never a denial: the sources do not settle it.

/** How a capability named in `capabilities.add` is judged on ECI. */
export type CapabilityVerdict = 'default' | 'allowed' | 'on-request' | 'unsupported';

/** Every capability whose verdict the sources settle; any other gets a warning. */
export const capabilityVerdicts: Readonly<Record<string, CapabilityVerdict>> = {
  AUDIT_WRITE: 'default',
  CHOWN: 'default',
  DAC_OVERRIDE: 'default',
  FOWNER: 'default',
  FSETID: 'default',
  KILL: 'default',
  MKNOD: 'default',
  NET_BIND_SERVICE: 'default',
  SETFCAP: 'default',
  SETGID: 'default',
  SETPCAP: 'default',
  SETUID: 'default',
  SYS_CHROOT: 'default',
  NET_ADMIN: 'allowed',
  NET_RAW: 'on-request',
  // Every capability at once is what `privileged` gives, which ECI refuses; SYS_ADMIN and
  // SYS_MODULE act on the sandbox's kernel, which a pod does not own on ECI.
  ALL: 'unsupported',
  SYS_ADMIN: 'unsupported',
  SYS_MODULE: 'unsupported',
};

/** The runtime accepts names with or without the CAP_ prefix, in any case. */
export function capabilityName(raw: unknown): string {
  return String(raw).toUpperCase().replace(/^CAP_/, '');
}
