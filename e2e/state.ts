// What e2e:up started, for e2e:down and the tests: PIDs, ports and paths, in .e2e/state.json.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Started } from './processes.js';
import { stateDir } from './paths.js';

/** One replica of the webhook (or of what a bench runs in its stead), as a pod of the Deployment. */
export interface WebhookState extends Started {
  /** Its address in the replicas' network namespace (e2e/network.ts), its pod IP. */
  readonly address: string;
  readonly port: number;
  /** The arguments of `serve` beyond those every e2e run passes (mode, profile, ...). */
  readonly args: readonly string[];
  /** What its readiness probe asks for (a path answering 200 when ready). */
  readonly readyPath: string;
}

/** Each process is recorded as soon as it starts, so a failed e2e:up can stop what it started. */
export interface ClusterState {
  readonly etcd?: Started & { readonly port: number };
  readonly apiserver?: Started & { readonly port: number; readonly version: string };
  readonly controllerManager?: Started;
  readonly scheduler?: Started;
  readonly virtualNode?: Started;
  readonly ordinaryNode?: Started;
  /** The replicas behind the Service, in the order they started; the EndpointSlice lists them. */
  readonly webhooks?: readonly WebhookState[];
  /** How many replicas `e2e:up --replicas` asked for: what a restart of the webhook starts again. */
  readonly replicas?: number;
  /** The stand-in for the kubelet's readiness probes and the EndpointSlice controller (e2e/endpoints.ts). */
  readonly endpoints?: Started;
  /** What a bench runs in the webhook's stead (the no-op webhook, Kyverno): stopped with the rest. */
  readonly peer?: Started;
}

const stateFile = join(stateDir, 'state.json');

export function readState(): ClusterState | undefined {
  if (!existsSync(stateFile)) return undefined;
  return JSON.parse(readFileSync(stateFile, 'utf8')) as ClusterState;
}

export function requireState(): ClusterState {
  const state = readState();
  if (!state) throw new Error(`no e2e cluster: run 'npm run e2e:up' first (${stateFile} is missing)`);
  return state;
}

export function writeState(state: ClusterState): void {
  mkdirSync(stateDir, { recursive: true });
  // Whole or not at all: the EndpointSlice stand-in reads it while tests write it.
  const partial = `${stateFile}.${process.pid}`;
  writeFileSync(partial, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(partial, stateFile);
}

/** Records one more started process. */
export function addToState(entry: ClusterState): void {
  writeState({ ...readState(), ...entry });
}
