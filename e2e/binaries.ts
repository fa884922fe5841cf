// The e2e cluster's programs: etcd, kube-apiserver, kube-controller-manager and kube-scheduler
// (the Go module in this folder), the nodes (virtual-node/), helm (helm/) and the cluster bench's
// peer, Kyverno (bench/kyverno/), built at the versions their go.mod files pin into a git-ignored
// cache keyed by version (and, for our own Go program, by its source): a machine builds each once.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { e2eModuleDir, repoRoot } from './paths.js';

export interface Binary {
  readonly name:
    | 'kube-apiserver'
    | 'kube-controller-manager'
    | 'kube-scheduler'
    | 'etcd'
    | 'virtual-node'
    | 'helm'
    | 'kyverno'
    | 'kubectl-kyverno';
  /** The Go module that pins it. */
  readonly moduleDir: string;
  /** The Go package built. */
  readonly pkg: string;
  /** The module whose version names the binary, as go.mod requires it. */
  readonly module: string;
  readonly version: string;
  readonly path: string;
}

const cacheDir = join(repoRoot, '.cache', 'e2e');

export interface Binaries {
  readonly apiserver: Binary;
  readonly controllerManager: Binary;
  readonly scheduler: Binary;
  readonly etcd: Binary;
  readonly virtualNode: Binary;
  readonly helm: Binary;
}

/** The nodes' program: virtual-kubelet with our provider, a Go module of its own (it needs newer client-go). */
const virtualNodeModuleDir = join(e2eModuleDir, 'virtual-node');

/** Kyverno's admission controller and its CLI: the peer of `npm run bench:cluster`. */
export interface PeerBinaries {
  readonly kyverno: Binary;
  readonly cli: Binary;
}

/** The Go module that pins Kyverno: its own, since Kyverno needs newer Kubernetes modules than e2e/. */
const kyvernoModuleDir = join(repoRoot, 'bench', 'kyverno');

function binary(name: Binary['name'], moduleDir: string, pkg: string, module: string): Binary {
  const version = requiredVersion(readFileSync(join(moduleDir, 'go.mod'), 'utf8'), module, moduleDir);
  // Our own program is also keyed by its source, so an edit is built, not served from the cache.
  const key = pkg === '.' ? `${version}-${sourceHash(moduleDir)}` : version;
  return { name, moduleDir, pkg, module, version, path: join(cacheDir, `${name}-${key}`) };
}

function sourceHash(moduleDir: string): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(moduleDir)
    .filter((name) => /\.go$|^go\.(mod|sum)$/.test(name))
    .sort()) {
    hash.update(file).update(readFileSync(join(moduleDir, file)));
  }
  return hash.digest('hex').slice(0, 12);
}

/** The programs, at the versions their go.mod files require. */
export function binaries(): Binaries {
  const kubernetes = (name: 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler') =>
    binary(name, e2eModuleDir, `k8s.io/kubernetes/cmd/${name}`, 'k8s.io/kubernetes');
  return {
    apiserver: kubernetes('kube-apiserver'),
    controllerManager: kubernetes('kube-controller-manager'),
    scheduler: kubernetes('kube-scheduler'),
    // etcd's server module has its main package at its root; built from inside our module, so at
    // the version Kubernetes requires (`go install ...@version` refuses it: its go.mod replaces).
    etcd: binary('etcd', e2eModuleDir, 'go.etcd.io/etcd/server/v3', 'go.etcd.io/etcd/server/v3'),
    virtualNode: binary('virtual-node', virtualNodeModuleDir, '.', 'github.com/virtual-kubelet/virtual-kubelet'),
    helm: binary('helm', join(e2eModuleDir, 'helm'), 'helm.sh/helm/v3/cmd/helm', 'helm.sh/helm/v3'),
  };
}

export function peerBinaries(): PeerBinaries {
  const module = 'github.com/kyverno/kyverno';
  return {
    kyverno: binary('kyverno', kyvernoModuleDir, `${module}/cmd/kyverno`, module),
    cli: binary('kubectl-kyverno', kyvernoModuleDir, `${module}/cmd/cli/kubectl-kyverno`, module),
  };
}

function requiredVersion(goMod: string, module: string, moduleDir: string): string {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  // In a require block, or on a require line of its own.
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!match) throw new Error(`${join(moduleDir, 'go.mod')} does not require ${module}`);
  return match[1]!;
}

/** Builds what the cache lacks of the e2e cluster's programs. */
export async function ensureBinaries(log: (line: string) => void): Promise<Binaries> {
  const wanted = binaries();
  const { apiserver, controllerManager, scheduler, etcd, virtualNode, helm } = wanted;
  await ensureBuilt([apiserver, controllerManager, scheduler, etcd, virtualNode, helm], log);
  return wanted;
}

/** Builds what the cache lacks of the peer (Kyverno's build takes longest of all). */
export async function ensurePeerBinaries(log: (line: string) => void): Promise<PeerBinaries> {
  const wanted = peerBinaries();
  await ensureBuilt([wanted.kyverno, wanted.cli], log);
  return wanted;
}

/**
 * Builds the missing ones, one `go build` for those of one module with the same flags: the three
 * Kubernetes programs share most of their packages and link side by side.
 */
async function ensureBuilt(wanted: readonly Binary[], log: (line: string) => void): Promise<void> {
  const groups = new Map<string, Binary[]>();
  for (const binary of wanted.filter((candidate) => !existsSync(candidate.path))) {
    const group = `${binary.moduleDir}\0${ldflags(binary)}`;
    groups.set(group, [...(groups.get(group) ?? []), binary]);
  }
  for (const group of groups.values()) {
    const started = Date.now();
    const names = group.map((binary) => `${binary.name} ${binary.version}`).join(', ');
    log(`building ${names} from the Go module proxy (the first build takes several minutes)`);
    await goBuild(group);
    log(`built ${names} in ${Math.round((Date.now() - started) / 1000)} s into ${cacheDir}`);
  }
}

function goBuild(group: readonly Binary[]): Promise<void> {
  mkdirSync(cacheDir, { recursive: true });
  const { moduleDir } = group[0]!;
  // Built into a folder beside the cache and renamed: an interrupted build never leaves a binary there.
  const partial = join(cacheDir, `.partial-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial);
  const args = [
    'build',
    '-trimpath',
    '-mod=readonly',
    '-o',
    `${partial}/`,
    '-ldflags',
    ldflags(group[0]!),
    ...group.map((binary) => binary.pkg),
  ];
  return new Promise((resolve, reject) => {
    // Upstream builds each without cgo; so do we, which also needs no C toolchain.
    const child = spawn('go', args, {
      cwd: moduleDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CGO_ENABLED: '0' },
    });
    child.on('error', (error) =>
      reject(new Error(`cannot run go (Go ${goVersionNeeded(moduleDir)} or newer is needed): ${error.message}`)),
    );
    child.on('exit', (code) => {
      if (code !== 0)
        return reject(new Error(`go build ${group.map((binary) => binary.pkg).join(' ')} failed (exit ${code})`));
      for (const binary of group) renameSync(join(partial, outputName(binary)), binary.path);
      rmSync(partial, { recursive: true, force: true });
      resolve();
    });
  });
}

/** The file `go build -o DIR/` writes for a package: its last element, or the module's for `.`, less a /vN. */
function outputName(binary: Binary): string {
  const path = binary.pkg === '.' ? moduleName(binary.moduleDir) : binary.pkg;
  return basename(path.replace(/\/v\d+$/, ''));
}

function moduleName(moduleDir: string): string {
  const match = /^module\s+(\S+)/m.exec(readFileSync(join(moduleDir, 'go.mod'), 'utf8'));
  if (!match) throw new Error(`${join(moduleDir, 'go.mod')} names no module`);
  return match[1]!;
}

/**
 * Where the module cache holds the source of a binary's module (downloaded if missing): the files
 * a program needs beside it at run time, such as Kyverno's CRDs, are read there, never copied.
 */
export function moduleSource(binary: Binary): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'go',
      ['mod', 'download', '-json', `${binary.module}@${binary.version}`],
      { cwd: binary.moduleDir },
      (error, stdout) => {
        if (error) return reject(new Error(`go mod download ${binary.module}@${binary.version}: ${error.message}`));
        resolve((JSON.parse(stdout) as { Dir: string }).Dir);
      },
    );
  });
}

/** `kubectl version`, `/version` and `helm version` read these; without them they say v0.0.0. */
function ldflags(binary: Binary): string {
  const flags = ['-s', '-w'];
  const x = (variable: string, value: string) => flags.push(`-X ${variable}=${value}`);
  if (binary.module === 'k8s.io/kubernetes') {
    const [major, minor] = binary.version.replace(/^v/, '').split('.');
    const pkg = 'k8s.io/component-base/version';
    x(`${pkg}.gitVersion`, binary.version);
    x(`${pkg}.gitMajor`, major!);
    x(`${pkg}.gitMinor`, minor!);
    x(`${pkg}.gitTreeState`, 'clean');
  }
  if (binary.name === 'kyverno' || binary.name === 'kubectl-kyverno') {
    // What Kyverno's own Makefile sets; `kyverno version` and its log read it.
    x('github.com/kyverno/kyverno/pkg/version.BuildVersion', binary.version);
  }
  if (binary.name === 'helm') {
    x('helm.sh/helm/v3/internal/version.version', binary.version);
    // The Kubernetes version `helm template` and `helm lint` assume: the e2e API server's.
    const [major, minor] = binaries().apiserver.version.replace(/^v/, '').split('.');
    for (const pkg of ['helm.sh/helm/v3/pkg/chartutil', 'helm.sh/helm/v3/pkg/lint/rules']) {
      x(`${pkg}.k8sVersionMajor`, major!);
      x(`${pkg}.k8sVersionMinor`, minor!);
    }
  }
  return flags.join(' ');
}

function goVersionNeeded(moduleDir: string): string {
  return /^go (\S+)/m.exec(readFileSync(join(moduleDir, 'go.mod'), 'utf8'))?.[1] ?? '1.24';
}
