// "Who changed my pod?": /mutate records on the pod what it added and why, in one annotation, and
// `explain` reads it back. The format, documented in docs/reference.md (What it changes): a JSON object
// from who set the fields (`selector/<eci-profile selector name>` or `routing`) to the field paths
// it set, in the order they were set, e.g.
//   {"selector/burst-spot":["metadata.annotations[\"k8s.aliyun.com/eci-spot-strategy\"]"],
//    "routing":["spec.nodeSelector[\"type\"]","spec.tolerations[0]"]}

export const injectedAnnotation = 'eci-admission/injected';

/** Who set which fields, in the order they were set. */
export type Injected = Readonly<Record<string, readonly string[]>>;

export const routingSetter = 'routing';
export const selectorSetter = (name: string): string => `selector/${name}`;

export function formatInjected(injected: Injected): string {
  return JSON.stringify(injected);
}

/** The record, or undefined when the value is not one (written by hand, or damaged). */
export function parseInjected(value: unknown): Injected | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const entries = Object.entries(parsed);
    return entries.every(([, fields]) => Array.isArray(fields) && fields.every((field) => typeof field === 'string'))
      ? (parsed as Injected)
      : undefined;
  } catch {
    return undefined;
  }
}
