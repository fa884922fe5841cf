// ECI fills in only some Downward API fields (lib/eci/pod-fields.ts): an env var or a downwardAPI
// volume item of any other, status.hostIP above all, gets no value a program can use there. A
// warning: the pod starts. The message is exported for the policies' CEL
// (lib/native-policies/pod-fields-cel.ts), which writes the same findings.
import type { V1DownwardAPIVolumeFile, V1EnvVar, V1Volume } from '@kubernetes/client-node';
import { downwardApiFields, isDownwardApiField } from '../../eci/pod-fields.js';
import { containersOf, listOf, type PodTemplate } from '../../workload/pod-template.js';
import type { PodRule, Violation } from '../rule.js';

const documented = [...downwardApiFields].join(', ');

export function unfilledMessage(fieldPath: string): string {
  return `ECI does not fill in ${fieldPath} (it fills in ${documented})`;
}

function unsupported(path: string, fieldPath: unknown): Violation[] {
  if (typeof fieldPath !== 'string' || isDownwardApiField(fieldPath)) return [];
  return [{ path, message: unfilledMessage(fieldPath), severity: 'warn' }];
}

function envViolations(pod: PodTemplate): Violation[] {
  return containersOf(pod).flatMap(({ container, path }) =>
    listOf<V1EnvVar>(container?.env).flatMap((env, index) =>
      unsupported(`${path}.env[${index}].valueFrom.fieldRef.fieldPath`, env?.valueFrom?.fieldRef?.fieldPath),
    ),
  );
}

/** downwardAPI volumes and the downwardAPI sources of projected volumes. */
function volumeViolations(pod: PodTemplate): Violation[] {
  const items = (path: string, list: readonly V1DownwardAPIVolumeFile[] | undefined) =>
    listOf(list).flatMap((item, index) =>
      unsupported(`${path}.items[${index}].fieldRef.fieldPath`, item?.fieldRef?.fieldPath),
    );
  return listOf<V1Volume>(pod.spec.volumes).flatMap((volume, index) => {
    const path = `${pod.specPath}.volumes[${index}]`;
    const projected = listOf(volume?.projected?.sources).flatMap((source, at) =>
      items(`${path}.projected.sources[${at}].downwardAPI`, source?.downwardAPI?.items),
    );
    return [...items(`${path}.downwardAPI`, volume?.downwardAPI?.items), ...projected];
  });
}

export const downwardApi: PodRule = {
  id: 'downward-api',
  summary:
    'nothing: warns about Downward API fields ECI does not fill in' +
    ' (`status.hostIP` and others), in env vars and downwardAPI volumes',
  target: 'pod',
  message: 'ECI does not fill in this Downward API field',
  workaround: 'use status.podIP (the pod is its own host on ECI), or pass the value another way',
  check: ({ pod }) => [...envViolations(pod), ...volumeViolations(pod)],
};
