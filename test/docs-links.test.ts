// The README stays short and every link of it and of the documents it links resolves: the file
// exists, and an anchor names a heading of that file as GitHub slugs it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import GithubSlugger from 'github-slugger';
import t from 'tap';
import { documentFiles, readme, repoRoot } from './helpers/readme.js';

/** Links outside code: `[text](target)`. */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/^\s*```[a-z]*\n[\s\S]*?^\s*```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
}

function anchorsOf(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const prose = markdown.replace(/^\s*```[a-z]*\n[\s\S]*?^\s*```/gm, '');
  return new Set([...prose.matchAll(/^#{1,6} (.+)$/gm)].map((heading) => slugger.slug(heading[1]!)));
}

/** What is wrong with a link of `file`, or undefined when it resolves. */
function brokenLink(file: string, link: string): string | undefined {
  if (/^(https?|mailto):/.test(link)) return undefined;
  const [path, anchor] = link.split('#') as [string, string | undefined];
  const target = path === '' ? file : normalize(join(dirname(file), path));
  if (!existsSync(join(repoRoot, target))) return `${link}: no file ${target}`;
  if (anchor === undefined || !target.endsWith('.md')) return undefined;
  return anchorsOf(readFileSync(join(repoRoot, target), 'utf8')).has(anchor)
    ? undefined
    : `${link}: no heading #${anchor} in ${target}`;
}

t.test('the README has at most 300 lines', async (t) => {
  t.ok(readme.split('\n').length <= 300, `${readme.split('\n').length} lines`);
});

t.test('every link of the README and its documents resolves', async (t) => {
  for (const file of [...documentFiles, 'ARCHITECTURE.md']) {
    const links = linksOf(readFileSync(join(repoRoot, file), 'utf8'));
    t.same(
      links.map((link) => brokenLink(file, link)).filter((broken) => broken !== undefined),
      [],
      `${file}: ${links.length} links`,
    );
  }
  t.equal(
    brokenLink('README.md', 'docs/reference.md#no-such-heading'),
    'docs/reference.md#no-such-heading: no heading #no-such-heading in docs/reference.md',
    'a missing heading is found',
  );
  t.match(brokenLink('README.md', 'docs/missing.md'), /no file docs\/missing\.md/, 'a missing file is found');
});
