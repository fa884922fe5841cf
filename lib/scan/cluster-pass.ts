// One pass of the background scan in a cluster: every namespace judged with the webhook's own
// context (its profile and settings as they are now; the namespace labels read by the pass), and
// the PolicyReports replaced as `scan -A --apply-reports` replaces them.
import type { KubeConfig } from '@kubernetes/client-node';
import { apiClient } from '../cluster/api-requests.js';
import { clusterReader } from '../cluster/cluster-reader.js';
import { writePolicyReports } from '../cluster/policy-report-writer.js';
import { policyReportObjects } from '../check/report/policy-report.js';
import { summarize } from '../check/report/report.js';
import { loadWebhookRouting } from '../check/webhook-routing.js';
import type { PolicyContext } from '../policy/context.js';
import type { Pass } from './background.js';
import { scanCluster } from './scan.js';

/** Pages of 100: a pass holds little at a time, and each list is a light request. */
const scope = { pageSize: 100 } as const;

export function clusterPass(config: KubeConfig, context: () => PolicyContext, now: () => Date): Pass {
  const reader = clusterReader(config);
  const api = apiClient(config);
  const routing = loadWebhookRouting();
  return async (throttled) => {
    const report = await scanCluster({
      reader: throttled(reader),
      scope,
      context: context(),
      profileGiven: true,
      routing,
      strict: false,
    });
    await writePolicyReports(api, policyReportObjects(report, now()), scope);
    const summary = summarize(report);
    const denials = report.results.reduce((sum, result) => sum + result.findings.length, 0);
    return { objects: summary.objects, denials, warnings: summary.warnings };
  };
}
