// `check -k DIR`: a kustomization rendered as `kubectl apply -k DIR` renders it, by the kustomize
// kubectl embeds (`kubectl kustomize`), so the objects judged are those the apply would send:
// the same kustomize version, the same defaults. Rendering is kubectl's; this only runs it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** What a kustomization renders to at most; a larger one is refused rather than read. */
const maxRenderedBytes = 256 * 1024 * 1024;

/** The file names kustomize looks for in a folder, in its order. */
export const kustomizationFiles = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** The rendered YAML; a one-line reason when kubectl is missing or refuses the kustomization. */
export async function renderKustomization(dir: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('kubectl', ['kustomize', dir], {
      encoding: 'utf8',
      maxBuffer: maxRenderedBytes,
    });
    return stdout;
  } catch (error) {
    throw new Error(failureOf(dir, error as NodeJS.ErrnoException & { stderr?: string }));
  }
}

function failureOf(dir: string, error: NodeJS.ErrnoException & { stderr?: string }): string {
  if (error.code === 'ENOENT') return '-k renders the kustomization with kubectl kustomize: kubectl is not on PATH';
  return `kubectl kustomize ${dir}: ${reasonOf(error.stderr ?? '') || error.message}`;
}

/**
 * kubectl's own words: the `err="..."` of its log line (klog's format, as kubectl 1.32 writes a
 * failure), else its last line of output.
 */
function reasonOf(stderr: string): string {
  const lines = stderr.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  const quoted = /err="((?:[^"\\]|\\.)*)"/.exec(last)?.[1];
  return quoted === undefined ? last.replace(/^error: /, '') : quoted.replace(/\\(.)/g, '$1');
}
