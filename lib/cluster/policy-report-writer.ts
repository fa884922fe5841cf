// `scan --apply-reports`: the scan's PolicyReports written into the cluster by server-side apply
// (eci-admission owns them whole: a second scan replaces every result), and the reports an
// earlier scan left for namespaces that have none now deleted. Only reports carrying our
// managed-by label are ever touched.
import { projectName } from '../facts.js';
import type { KubernetesObject } from '@kubernetes/client-node';
import { managedBy, type PolicyReport } from '../check/report/policy-report.js';
import { parsed, type ApiClient } from './api-requests.js';

const groupVersion = '/apis/wgpolicyk8s.io/v1alpha2';
const fieldManager = projectName;
const labelSelector = Object.entries(managedBy)
  .map(([key, value]) => `${key}=${value}`)
  .join(',');

export interface ReportScope {
  /** Undefined: every namespace, and the ClusterPolicyReport. */
  readonly namespace?: string;
  readonly pageSize: number;
}

export interface Written {
  readonly applied: number;
  readonly deleted: number;
}

function pathOf(kind: string, namespace: string | undefined, name?: string): string {
  const plural = kind === 'ClusterPolicyReport' ? 'clusterpolicyreports' : 'policyreports';
  return `${groupVersion}${namespace ? `/namespaces/${namespace}` : ''}/${plural}${name ? `/${name}` : ''}`;
}

export async function writePolicyReports(
  api: ApiClient,
  reports: readonly PolicyReport[],
  scope: ReportScope,
): Promise<Written> {
  for (const report of reports) {
    const { name, namespace } = report.metadata as { name: string; namespace?: string };
    const answer = await api.send(
      'PATCH',
      pathOf(report.kind, namespace, name),
      { fieldManager, force: true },
      {
        type: 'application/apply-patch+yaml',
        text: JSON.stringify(report),
      },
    );
    parsed(
      answer,
      `apply ${report.kind} ${namespace ? `${namespace}/` : ''}${name} (is the wgpolicyk8s.io CRD installed?)`,
    );
  }
  const kept = new Set(
    reports.map((report) => `${report.kind}/${(report.metadata as { namespace?: string }).namespace ?? ''}`),
  );
  const kinds = scope.namespace === undefined ? ['PolicyReport', 'ClusterPolicyReport'] : ['PolicyReport'];
  let deleted = 0;
  for (const kind of kinds) {
    for (const stale of (await managedReports(api, kind, scope)).filter(
      (old) => !kept.has(`${kind}/${old.metadata?.namespace ?? ''}`),
    )) {
      const answer = await api.send('DELETE', pathOf(kind, stale.metadata?.namespace, stale.metadata?.name));
      if (answer.status !== 404)
        parsed(answer, `delete ${kind} ${stale.metadata?.namespace ?? ''}/${stale.metadata?.name ?? ''}`);
      deleted += 1;
    }
  }
  return { applied: reports.length, deleted };
}

/** Our reports of a kind in scope, a page at a time. */
async function managedReports(api: ApiClient, kind: string, scope: ReportScope): Promise<KubernetesObject[]> {
  const found: KubernetesObject[] = [];
  let token: string | undefined;
  do {
    const answer = await api.send('GET', pathOf(kind, kind === 'PolicyReport' ? scope.namespace : undefined), {
      labelSelector,
      limit: scope.pageSize,
      continue: token,
    });
    const page = parsed<{ items?: KubernetesObject[]; metadata?: { continue?: string } }>(answer, `list ${kind}s`);
    found.push(...(page.items ?? []));
    token = page.metadata?.continue || undefined;
  } while (token !== undefined);
  return found;
}
