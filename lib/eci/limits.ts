// ECI's per-instance limits that a manifest can break, as data. One pod is one ECI instance.
// - Containers, volumes and vCPUs per instance (fixed, not adjustable): ECI "Limits",
//   https://www.alibabacloud.com/help/doc-detail/89138.htm ("vCPUs per instance: 64 vCPU",
//   "Volumes per instance: 20", "Containers per instance: 20").
// - The largest memory: the largest specification offered in every region is 64 vCPU with 512 GiB,
//   https://www.alibabacloud.com/help/en/eci/user-guide/specify-the-number-of-vcpus-and-memory-size-to-create-an-elastic-container-instance
// - How the instance is sized: "the amount of resources required by an elastic container
//   instance refers to the total amount of resources required by all containers",
//   https://www.alibabacloud.com/help/doc-detail/165051.htm
// - Cloud disks: "Each elastic container instance supports a maximum of six disk volumes", ECI
//   "Mount a disk volume", https://www.alibabacloud.com/help/en/eci/user-guide/mount-a-disk-volume
//   A manifest shows a disk in an inline CSI or FlexVolume volume of the disk driver, or in a
//   generic ephemeral volume of one of ACK's disk StorageClasses (alicloud-disk-*); a PVC's class
//   is not in the pod, so a claim is not counted.

export interface InstanceLimits {
  readonly containers: number;
  readonly volumes: number;
  readonly vcpus: number;
  readonly memoryGiB: number;
  readonly diskVolumes: number;
}

/** The disk drivers (CSI, FlexVolume) and the prefix of ACK's disk StorageClasses. */
export const cloudDisk = {
  csiDriver: 'diskplugin.csi.alibabacloud.com',
  flexVolumeDriver: 'alicloud/disk',
  storageClassPrefix: 'alicloud-disk',
} as const;

export const instanceLimits: InstanceLimits = {
  containers: 20,
  volumes: 20,
  vcpus: 64,
  memoryGiB: 512,
  diskVolumes: 6,
};
