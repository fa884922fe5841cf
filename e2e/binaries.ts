// kube-apiserver and etcd, built from the Go module in this folder at the versions its go.mod pins,
// into a git-ignored cache keyed by version: a machine builds each once.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { e2eModuleDir, repoRoot } from './paths.js';

export interface Binary {
  readonly name: 'kube-apiserver' | 'etcd';
  /** The Go package built. */
  readonly pkg: string;
  /** The module whose version names the binary, as go.mod requires it. */
  readonly module: string;
  readonly version: string;
  readonly path: string;
}

export const cacheDir = join(repoRoot, '.cache', 'e2e');

/** The two programs, at the versions of e2e/go.mod. */
export function binaries(): { readonly apiserver: Binary; readonly etcd: Binary } {
  const goMod = readFileSync(join(e2eModuleDir, 'go.mod'), 'utf8');
  const make = (name: Binary['name'], pkg: string, module: string): Binary => {
    const version = requiredVersion(goMod, module);
    return { name, pkg, module, version, path: join(cacheDir, `${name}-${version}`) };
  };
  return {
    apiserver: make('kube-apiserver', 'k8s.io/kubernetes/cmd/kube-apiserver', 'k8s.io/kubernetes'),
    // etcd's server module has its main package at its root; built from inside our module, so at
    // the version Kubernetes requires (`go install ...@version` refuses it: its go.mod replaces).
    etcd: make('etcd', 'go.etcd.io/etcd/server/v3', 'go.etcd.io/etcd/server/v3'),
  };
}

function requiredVersion(goMod: string, module: string): string {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!match) throw new Error(`e2e/go.mod does not require ${module}`);
  return match[1]!;
}

/** Builds what the cache lacks; returns the binaries and whether anything was built. */
export async function ensureBinaries(log: (line: string) => void): Promise<{ apiserver: Binary; etcd: Binary; built: boolean }> {
  const wanted = binaries();
  let built = false;
  for (const binary of [wanted.apiserver, wanted.etcd]) {
    if (existsSync(binary.path)) continue;
    const started = Date.now();
    log(`building ${binary.name} ${binary.version} from the Go module proxy (the first build takes several minutes)`);
    await goBuild(binary);
    log(`built ${binary.name} ${binary.version} in ${Math.round((Date.now() - started) / 1000)} s: ${binary.path}`);
    built = true;
  }
  return { ...wanted, built };
}

function goBuild(binary: Binary): Promise<void> {
  mkdirSync(cacheDir, { recursive: true });
  // Written beside the target and renamed: an interrupted build never leaves a binary in the cache.
  const partial = `${binary.path}.partial`;
  const args = ['build', '-trimpath', '-mod=readonly', '-o', partial, '-ldflags', ldflags(binary), binary.pkg];
  return new Promise((resolve, reject) => {
    // Upstream builds both without cgo; so do we, which also needs no C toolchain.
    const child = spawn('go', args, { cwd: e2eModuleDir, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, CGO_ENABLED: '0' } });
    child.on('error', (error) => reject(new Error(`cannot run go (Go ${goVersionNeeded()} or newer is needed): ${error.message}`)));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`go build ${binary.pkg} failed (exit ${code})`));
      renameSync(partial, binary.path);
      resolve();
    });
  });
}

/** `kubectl version` and `/version` read these; without them the binary says v0.0.0-master. */
function ldflags(binary: Binary): string {
  const flags = ['-s', '-w'];
  if (binary.name === 'kube-apiserver') {
    const [major, minor] = binary.version.replace(/^v/, '').split('.');
    const pkg = 'k8s.io/component-base/version';
    flags.push(`-X ${pkg}.gitVersion=${binary.version}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`, `-X ${pkg}.gitTreeState=clean`);
  }
  return flags.join(' ');
}

function goVersionNeeded(): string {
  const goMod = readFileSync(join(e2eModuleDir, 'go.mod'), 'utf8');
  return /^go (\S+)/m.exec(goMod)?.[1] ?? '1.24';
}
