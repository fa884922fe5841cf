// The eci-profile ConfigMap is checked when it is written, so a bad edit is refused at
// kubectl apply instead of being ignored by the cluster.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { isProfileLocation } from '../../profile/locations.js';
import { parseProfile } from '../../profile/profile.js';
import type { ObjectRule } from '../rule.js';

export const eciProfile: ObjectRule = {
  id: 'eci-profile',
  summary: 'an invalid eci-profile or acs-profile ConfigMap in kube-system',
  target: 'object',
  kinds: ['ConfigMap'],
  message: 'the eci-profile is invalid',
  workaround: 'correct it; until then pods get the last good profile',
  // Of ConfigMaps, only the profiles.
  judges: (object) => isProfileLocation(object.metadata?.namespace, object.metadata?.name),
  check: ({ object }, context) =>
    parseProfile((object as V1ConfigMap).data ?? {}, 'admission', context.schemas).problems,
};
