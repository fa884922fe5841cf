// `eci-admission check` and `explain`: flags in, manifests read, the same context the server
// would build, then a report. The CLI maps the result to an exit code.
import { text } from 'node:stream/consumers';
import type { ClusterMode, RoutingFlavour } from '../facts.js';
import { policyContext, type Labels, type PolicyContext } from '../policy/context.js';
import type { Enforcement } from '../policy/enforcement.js';
import { readProfileFile } from '../profile/profile.js';
import { checkManifests, namespaceLabelsOf } from './check.js';
import { explain } from './explain.js';
import { readInputs, readText, whereOf, type Inputs } from './inputs.js';
import { renderKustomization } from './kustomize.js';
import { inNamespace } from './namespaces.js';
import { render } from './report/render.js';
import { exitCode, reportOf, type Output } from './report/report.js';
import { loadWebhookRouting } from './webhook-routing.js';

export interface CheckOptions {
  /** Paths (files, folders, `-` for stdin), or a kustomization folder for kubectl to render. */
  readonly input: { readonly files: readonly string[] } | { readonly kustomization: string };
  /** `-n`: the namespace of objects that name none. */
  readonly namespace?: string;
  readonly profile?: string;
  readonly clusterMode: ClusterMode;
  readonly routing: RoutingFlavour;
  /** Labels for namespaces not (fully) described in the input. */
  readonly namespaceLabels: ReadonlyMap<string, Labels>;
  /** Modes, namespace exemptions and rule switches (check only). */
  readonly enforcement?: Enforcement;
}

export interface Terminal {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** NO_COLOR (https://no-color.org) turns colour off. */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * `now` is the time of the run, read by the caller: it stamps a policy report's results.
 * `allowEmpty`: input without objects is no failure; by default it is, as for `kubectl apply`.
 */
export async function runCheck(
  options: CheckOptions & { output: Output; strict: boolean; allowEmpty: boolean; now: Date },
  terminal: Terminal,
): Promise<number> {
  const { inputs, context } = await prepare(options, terminal);
  // An empty render or an empty pipe is a mistake upstream far more often than an empty release.
  if (inputs.manifests.length === 0 && inputs.errors.length === 0 && !options.allowEmpty) {
    throw new Error('no objects in the input (kubectl apply fails on it too); --allow-empty accepts that');
  }
  const progress = terminal.stderr.isTTY && inputs.manifests.length >= 1000 ? progressLine(terminal.stderr) : undefined;
  const results = checkManifests(inputs.manifests, context, loadWebhookRouting(), progress);
  const report = reportOf(results, inputs.errors, options.strict);
  terminal.stdout.write(await render(report, options.output, { colour: wantsColour(terminal), now: options.now }));
  return exitCode(report);
}

export async function runExplain(options: CheckOptions, terminal: Terminal): Promise<number> {
  const { inputs, context } = await prepare(options, terminal);
  terminal.stdout.write(explain(inputs.manifests, context));
  for (const error of inputs.errors) terminal.stderr.write(`${whereOf(error)}: ${error.message}\n`);
  return inputs.errors.length > 0 ? 2 : 0;
}

async function prepare(options: CheckOptions, terminal: Terminal): Promise<{ inputs: Inputs; context: PolicyContext }> {
  const inputs = inNamespace(await read(options.input, terminal), options.namespace);
  const base = policyContext({
    clusterMode: options.clusterMode,
    routing: options.routing,
    namespaceLabels: namespaceLabelsOf(inputs.manifests, options.namespaceLabels),
    ...(options.enforcement ? { enforcement: options.enforcement } : {}),
  });
  if (options.profile === undefined) return { inputs, context: base };
  const parsed = await readProfileFile(options.profile, base.schemas);
  if (parsed.profile) return { inputs, context: { ...base, profile: parsed.profile } };
  const reasons = parsed.problems.filter((p) => p.severity === 'deny').map((p) => `${p.path}: ${p.message}`);
  return {
    inputs: {
      ...inputs,
      errors: [...inputs.errors, ...reasons.map((message) => ({ file: options.profile!, line: 0, message }))],
    },
    context: base,
  };
}

async function read(input: CheckOptions['input'], terminal: Terminal): Promise<Inputs> {
  if ('files' in input) return readInputs(input.files, () => text(terminal.stdin));
  return readText(`<kustomize ${input.kustomization}>`, await renderKustomization(input.kustomization));
}

/** On a terminal, unless NO_COLOR is set to anything but the empty string (https://no-color.org). */
function wantsColour(terminal: Terminal): boolean {
  return terminal.stdout.isTTY === true && !terminal.env.NO_COLOR;
}

/** A counter on one terminal line, for long runs only; cleared when done. */
function progressLine(stream: NodeJS.WritableStream): (done: number, total: number) => void {
  return (done, total) => stream.write(done === total ? '\r\u001b[K' : `\rchecked ${done}/${total}`);
}
