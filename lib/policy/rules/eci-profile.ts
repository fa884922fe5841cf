// The eci-profile ConfigMap is checked when it is written, so a bad edit is refused at
// kubectl apply instead of being ignored by the cluster.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { isProfileLocation } from '../../profile/locations.js';
import { parseProfile } from '../../profile/profile.js';
import type { ObjectRule } from '../rule.js';

export const eciProfile: ObjectRule = {
  id: 'eci-profile',
  summary: 'an invalid eci-profile or acs-profile ConfigMap (see [The eci-profile](#the-eci-profile))',
  target: 'object',
  kinds: ['ConfigMap'],
  message: 'the eci-profile is invalid',
  workaround: 'correct it; until then pods get the last good profile',
  check: (object, context) => {
    const configMap = object as V1ConfigMap;
    if (!isProfileLocation(configMap.metadata?.namespace, configMap.metadata?.name)) return [];
    return parseProfile(configMap.data ?? {}, 'admission', context.schemas).problems;
  },
};
