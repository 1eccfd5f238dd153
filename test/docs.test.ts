/**
 * The documentation stays true: the generated references are current, every ```console example prints what
 * the docs show, and every relative link of README.md and docs/ leads to a file (and heading) that exists.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedDocs } from '../engine/docs/generate.js';
import { examplesOf, jsonOf, outputMatches } from '../engine/docs/examples.js';
import { loadScenario } from '../engine/scenario/load.js';
import { stringify as toYaml } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const cli = join(here, '..', 'engine', 'cli.js');

function markdownFiles(): string[] {
  const out = [join(root, 'README.md')];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.md')) out.push(p);
    }
  };
  walk(join(root, 'docs'));
  return out;
}

test('docs/reference/cli.md and scenario-format.md are what `npm run docs` generates now', async () => {
  for (const [file, text] of await generatedDocs(root)) {
    const onDisk = existsSync(join(root, file)) ? readFileSync(join(root, file), 'utf8') : '';
    assert.ok(onDisk === text, `${file} is out of date: run npm run docs and commit it`);
  }
});

test('the CLI reference lists every command and option of engine/cli.ts', async () => {
  const text = (await generatedDocs(root)).get('docs/reference/cli.md') ?? '';
  for (const cmd of ['run', 'validate', 'compare', 'merge', 'explain']) assert.match(text, `## kubesim ${cmd}\n`);
  for (const opt of ['--replications', '--plugin-module', '--max-memory', '--pods-csv', '--nodes', '--config'])
    assert.match(text, `\`${opt}\``);
});

test('the scenario reference has a row for every field path of the schema (spot checks across nesting and variants)', async () => {
  const text = (await generatedDocs(root)).get('docs/reference/scenario-format.md') ?? '';
  for (const path of [
    'cluster.nodePools[].template.taints[].effect',
    'workloads[].arrival (type: ramp).over',
    'parameters.kubelet.imageFsCapacity',
    'faults[] (type: nodeCrash).count',
    'steps[] (opcode: createPods).collectMetrics',
    'gpuReplay.tuneRatio',
  ])
    assert.ok(text.includes(`| \`${path}\` |`), `no row for ${path}`);
});

test('the example matcher: ... spans lines, a trailing ... is a prefix, anything else must be equal', () => {
  assert.ok(outputMatches(['a', '...', 'd'], 'a\nb\nc\nd\n'));
  assert.ok(outputMatches(['a', '...', 'd'], 'a\nd'));
  assert.ok(outputMatches(['took ...'], 'took 4.2 s'));
  assert.not.ok(outputMatches(['a', 'd'], 'a\nb\nd'));
  assert.not.ok(outputMatches(['a', '...'], 'b'));
  assert.not.ok(outputMatches(['took ...'], 'took'));
  assert.equal(jsonOf(['{ "a": [1,', '  2] }']), { a: [1, 2] });
});

test('every ```console example in README.md and docs/ prints what the docs show', () => {
  const examples = markdownFiles().flatMap((f) => examplesOf(relative(root, f), readFileSync(f, 'utf8')));
  assert.ok(examples.length >= 3, `only ${examples.length} runnable examples found`);
  // A scratch folder with the files the examples name, so reports land there and not in the checkout.
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'kubesim-docs-')));
  cpSync(join(root, 'scenarios'), join(scratch, 'scenarios'), { recursive: true });
  cpSync(join(root, 'docs', 'examples'), join(scratch, 'docs', 'examples'), { recursive: true });
  for (const e of examples) {
    const where = `${e.file}:${e.line}: kubesim ${e.args.join(' ')}`;
    const r = spawnSync(process.execPath, [cli, ...e.args], {
      cwd: scratch,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 60_000,
    });
    assert.is(r.status, 0, `${where} exited ${r.status}: ${r.stderr}`);
    const printed = r.stdout.split(`${scratch}/`).join('');
    const json = jsonOf(e.expected);
    if (json !== undefined) assert.equal(JSON.parse(printed), json, where);
    else assert.ok(outputMatches(e.expected, printed), `${where} printed:\n${printed}\nbut the docs show:\n${e.expected.join('\n')}`);
  }
});

interface SchemaNode {
  default?: unknown;
  properties?: Record<string, SchemaNode>;
}

test("the defaults scenario-format.md shows for parameters (from the schema) are the loader's own defaults", () => {
  const schema = JSON.parse(readFileSync(join(root, 'scenarios', 'scenario.schema.json'), 'utf8')) as { $defs: Record<string, SchemaNode> };
  const groups = schema.$defs.parameters.properties ?? {};
  const parameters: Record<string, unknown> = {};
  let count = 0;
  for (const [name, group] of Object.entries(groups)) {
    if (group.default !== undefined) {
      parameters[name] = group.default;
      count++;
      continue;
    }
    const fields = Object.entries(group.properties ?? {}).filter(([, f]) => f.default !== undefined);
    if (fields.length > 0) parameters[name] = Object.fromEntries(fields.map(([k, f]) => [k, f.default]));
    count += fields.length;
  }
  assert.ok(count >= 50, `only ${count} parameter defaults in the schema`);
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-docs-defaults-'));
  const base = {
    name: 'defaults',
    cluster: { nodePools: [{ name: 'n', count: 2, template: { cpu: '4', memory: '8Gi' } }] },
    workloads: [{ kubectl: 'kubectl run web --image=nginx' }],
  };
  writeFileSync(join(dir, 'implicit.yaml'), toYaml(base));
  writeFileSync(join(dir, 'explicit.yaml'), toYaml({ ...base, parameters }));
  const implicit = loadScenario(join(dir, 'implicit.yaml')).scenario;
  const explicit = loadScenario(join(dir, 'explicit.yaml')).scenario;
  assert.equal({ ...explicit, file: '' }, { ...implicit, file: '' });
});

/** `a_{x,y}_b` → a_x_b, a_y_b (the way reports.md writes families of columns). */
function expandBraces(s: string): string[] {
  const m = /\{([^{}]*)\}/.exec(s);
  if (m === null) return [s];
  return m[1].split(',').flatMap((alt) => expandBraces(s.slice(0, m.index) + alt.trim() + s.slice(m.index + m[0].length)));
}

test('docs/reference/reports.md names every column of every CSV report a run writes', () => {
  const out = mkdtempSync(join(tmpdir(), 'kubesim-docs-reports-'));
  const r = spawnSync(
    process.execPath,
    [cli, 'run', join(root, 'test', 'fixtures', 'small.yaml'), '--pods-csv', '--jobs', '1', '--out', out],
    { encoding: 'utf8' },
  );
  assert.is(r.status, 0, r.stderr);
  const doc = readFileSync(join(root, 'docs', 'reference', 'reports.md'), 'utf8');
  const documented = new Set(
    [...doc.matchAll(/`([^`]+)`/g)].flatMap((m) => m[1].split(/,\s*(?![^{]*\})/)).flatMap((c) => expandBraces(c.trim())),
  );
  const csvs = readdirSync(out).filter((f) => f.endsWith('.csv'));
  assert.equal(csvs.sort(), ['comparison.csv', 'engine.csv', 'pods.csv', 'summary.csv', 'timeseries.csv']);
  for (const f of csvs) {
    assert.ok(doc.includes(`\`${f}\``), `${f} is not in reports.md`);
    const header = readFileSync(join(out, f), 'utf8').split('\n')[0].split(',');
    const missing = header.filter((c) => !documented.has(c));
    assert.equal(missing, [], `${f}: columns not documented in docs/reference/reports.md`);
  }
});

// Files linked from the docs that no branch has written yet (none today).
const NOT_YET_MERGED = new Set<string>([]);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchorsOf(markdown: string): Set<string> {
  const out = new Set<string>();
  let inCode = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) inCode = !inCode;
    const h = inCode ? null : /^#{1,6}\s+(.*)$/.exec(line);
    if (h !== null)
      out.add(
        h[1]
          .trim()
          .toLowerCase()
          .replace(/[^\p{L}\p{N} _-]/gu, '')
          .replace(/ /g, '-'),
      );
  }
  return out;
}

test('every relative link of README.md and docs/ resolves to a file, and its #anchor to a heading there', () => {
  const broken: string[] = [];
  let links = 0;
  for (const file of markdownFiles()) {
    const text = readFileSync(file, 'utf8')
      .replace(/```[\s\S]*?```/g, '')
      .replace(/`[^`\n]*`/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
      links++;
      const [path, anchor] = target.split('#');
      const dest = path === '' ? file : resolve(dirname(file), path);
      const rel = relative(root, dest);
      if (NOT_YET_MERGED.has(rel)) continue;
      if (!existsSync(dest)) broken.push(`${relative(root, file)}: ${target} (no such file)`);
      else if (anchor !== undefined && dest.endsWith('.md') && !anchorsOf(readFileSync(dest, 'utf8')).has(anchor))
        broken.push(`${relative(root, file)}: ${target} (no such heading)`);
    }
  }
  assert.ok(links > 50, `only ${links} links found`);
  assert.equal(broken, []);
});

test.run();
