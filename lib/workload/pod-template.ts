// A uniform view of "the pod" inside any workload, with the field paths users see in messages.
import type {
  KubernetesObject,
  V1Container,
  V1EphemeralContainer,
  V1ObjectMeta,
  V1PodSpec,
} from '@kubernetes/client-node';
import { memo } from '../memo.js';
import { podTemplateLocation } from './kinds.js';

export interface PodTemplate {
  /** Field path of the pod spec in the object, e.g. `spec.template.spec`. */
  readonly specPath: string;
  /** Field path of the pod metadata, e.g. `spec.template.metadata`. */
  readonly metadataPath: string;
  /** Partial: an object reaching the webhook from a test, the CLI or a fuzzer may lack fields. */
  readonly spec: Partial<V1PodSpec>;
  readonly metadata: V1ObjectMeta;
}

export interface ContainerRef {
  readonly container: V1Container | V1EphemeralContainer;
  /** e.g. `spec.template.spec.initContainers[0]`. */
  readonly path: string;
  readonly name: string;
}

/** The pod template of a workload (the pod itself for a Pod), or undefined for other kinds. */
export function podTemplateOf(kind: string, object: KubernetesObject): PodTemplate | undefined {
  const location = podTemplateLocation(kind);
  if (location === undefined) return undefined;
  const template = location.reduce<unknown>((node, field) => recordOrEmpty(node)[field], object);
  const prefix = location.map((field) => `${field}.`).join('');
  return {
    specPath: `${prefix}spec`,
    metadataPath: `${prefix}metadata`,
    spec: recordOrEmpty(recordOrEmpty(template).spec) as Partial<V1PodSpec>,
    metadata: recordOrEmpty(recordOrEmpty(template).metadata) as V1ObjectMeta,
  };
}

const containerLists = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/**
 * Every container of the pod, init and ephemeral ones included, in spec order. Walked once per
 * pod template: the rules judging one object share the walk (and the paths it builds).
 */
export function containersOf(pod: PodTemplate): readonly ContainerRef[] {
  return memo(walked, pod, walk);
}

const walked = new WeakMap<PodTemplate, readonly ContainerRef[]>();

function walk(pod: PodTemplate): readonly ContainerRef[] {
  return containerLists.flatMap((list) =>
    listOf(pod.spec[list]).map((container, index) => ({
      container,
      path: `${pod.specPath}.${list}[${index}]`,
      name: typeof container?.name === 'string' ? container.name : '',
    })),
  );
}

/**
 * The list at a field, or empty when the field is absent or not a list. Objects reaching the
 * webhook from tests, the CLI or a fuzzer are not guaranteed to match their types.
 */
export function listOf<T>(value: readonly T[] | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

export function recordOrEmpty(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
