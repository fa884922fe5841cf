// The vCPU and memory specifications an ECI instance is created (and billed) as, as data. Source:
// ECI, "Specify the number of vCPUs and memory size to create an elastic container instance",
// https://www.alibabacloud.com/help/en/eci/user-guide/specify-the-number-of-vcpus-and-memory-size-to-create-an-elastic-container-instance
// (updated 2026-06-20):
// - "If your specified vCPU and memory do not match a supported ECI specification, the system
//   automatically rounds them up to the nearest supported specification ... if you request
//   7 vCPUs and 13 GiB of memory ... in the China (Hangzhou) region, the system provisions an
//   instance with 8 vCPUs and 14 GiB of memory."
// - "If you do not specify vCPU and memory, the system creates an ECI instance with 2 vCPUs and
//   4 GiB of memory by default."
// - Two tables: specifications offered in every region, and more offered only in some regions
//   (listed on the page's Traditional Chinese version, 2024-07-06, which also says they "cannot be
//   used to create preemptible instances", as ACK's "Create an ECI pod" page does:
//   https://www.alibabacloud.com/help/en/ack/serverless-kubernetes/user-guide/create-an-eci-pod).
// Which figures make the instance (the sum of the containers' limits, else requests; the
// k8s.aliyun.com/eci-use-specs annotation over both; containers marked __ECI_RESOURCE_IGNORE__
// left out) is in billed-spec.ts with its sources.

/** vCPU and GiB of memory. */
export interface Spec {
  readonly vcpu: number;
  readonly memoryGiB: number;
}

/** Each vCPU count with the memory sizes (GiB) offered with it, as the page's tables give them. */
type SpecRows = ReadonlyArray<readonly [vcpu: number, memoryGiB: readonly number[]]>;

const everyRegionRows: SpecRows = [
  [0.25, [0.5, 1]],
  [0.5, [1, 2]],
  [1, [2, 4, 8]],
  [2, [1, 2, 4, 8, 16]],
  [4, [2, 4, 8, 16, 32]],
  [8, [4, 8, 16, 32, 64]],
  [12, [12, 24, 48, 96]],
  [16, [16, 32, 64, 128]],
  [24, [24, 48, 96, 192]],
  [32, [32, 64, 128, 256]],
  [52, [96, 192, 384]],
  [64, [128, 256, 512]],
];

const evenGiB = (from: number, to: number, skip: readonly number[] = []): number[] =>
  Array.from({ length: (to - from) / 2 + 1 }, (_, i) => from + 2 * i).filter((size) => !skip.includes(size));

const someRegionsRows: SpecRows = [
  [2, [6, 10, 12, 14]],
  [4, [6, ...evenGiB(10, 30, [16])]],
  [6, evenGiB(6, 48)],
  [8, evenGiB(10, 62, [16, 32])],
];

/** The regions of the second table (the page names them; these are their region ids). */
export const someRegions: ReadonlySet<string> = new Set([
  'cn-hangzhou',
  'cn-shanghai',
  'cn-qingdao',
  'cn-beijing',
  'cn-zhangjiakou',
  'cn-huhehaote',
  'cn-wulanchabu',
  'cn-shenzhen',
  'cn-heyuan',
  'cn-guangzhou',
  'cn-chengdu',
  'ap-southeast-1',
]);

const specsOf = (rows: SpecRows): Spec[] =>
  rows.flatMap(([vcpu, sizes]) => sizes.map((memoryGiB) => ({ vcpu, memoryGiB })));

/** Smallest first: fewer vCPUs, then less memory, the order rounding up reads them in. */
const bySize = (a: Spec, b: Spec) => a.vcpu - b.vcpu || a.memoryGiB - b.memoryGiB;

/** Offered in every region, and the only ones for spot (preemptible) instances. */
export const everyRegionSpecs: readonly Spec[] = specsOf(everyRegionRows).sort(bySize);

/** Offered in the regions of `someRegions`, on-demand only, with those of every region. */
export const someRegionsSpecs: readonly Spec[] = [...everyRegionSpecs, ...specsOf(someRegionsRows)].sort(bySize);

/** What an instance is created as when no container asks for CPU or memory. */
export const defaultSpec: Spec = { vcpu: 2, memoryGiB: 4 };

/** The smallest spec with at least the vCPU and memory asked for; undefined above the largest. */
export function roundUp(asked: Spec, specs: readonly Spec[]): Spec | undefined {
  return specs.find((spec) => spec.vcpu >= asked.vcpu && spec.memoryGiB >= asked.memoryGiB);
}
