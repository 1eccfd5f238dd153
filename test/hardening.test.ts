/**
 * Hardening (issue 6): inputs refused up front (counts, sizes, files that are not files, memory), includes
 * that leave the scenario's folder, and a sweep that is interrupted, loses a worker thread, or is resumed —
 * on the real CLI in a child process with real signals and real worker threads. Worker faults are injected
 * with the test-only KUBESIM_TEST_FAULT variable (engine/sweep/fault.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkMemory, estimateMemory, formatBytes } from '../engine/sweep/memory.js';
import { loadRun, runKey, storeRun } from '../engine/sweep/run-store.js';
import { executeTask, type RunSettings } from '../engine/sweep/execute.js';
import { loadScenario, parseScenario } from '../engine/scenario/load.js';
import { parseYamlDocuments, readYamlFile } from '../engine/scenario/yaml-field.js';
import { MAX_FILE_BYTES, MAX_TOTAL_BYTES } from '../engine/scenario/input-file.js';
import { expectInputError } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'engine', 'cli.js');
const small = join(here, '..', '..', 'test', 'fixtures', 'small.yaml');
const tmp = (p: string): string => mkdtempSync(join(tmpdir(), `kubesim-${p}-`));

function kubesim(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function parse(text: string, file = 'limits.yaml') {
  return parseScenario(parseYamlDocuments(text, file)[0], file);
}

const pool = (count: string): string => `cluster:
  nodePools:
    - name: n
      count: ${count}
      template: {cpu: "4", memory: 8Gi}
`;

// ---- limits ----

test('absurd counts are refused at the field, naming the limit', () => {
  const nodes = expectInputError(() => parse(pool('1000000000000')));
  assert.is(nodes.line, 4);
  assert.is(nodes.path, 'cluster.nodePools[0].count');
  assert.is(nodes.detail, `1,000,000,000,000 nodes is over kubesim's limit of 1,000,000 nodes (see docs/reference/limits.md)`);
  const pods = expectInputError(() =>
    parse(
      `${pool('2')}workloads:\n  - name: w\n    arrival: {type: burst, count: 1e12}\n    pod: {spec: {containers: [{name: c, image: i}]}}\n`,
    ),
  );
  assert.is(pods.path, 'workloads[0].arrival.count');
  assert.match(pods.detail, /^1,000,000,000,000 pods is over kubesim's limit of 10,000,000 pods/);
  // Each pool within the limit, their sum over it.
  const sum = expectInputError(() =>
    parse(`${pool('600000')}    - name: m\n      count: 600000\n      template: {cpu: "4", memory: 8Gi}\n`),
  );
  assert.is(sum.path, 'cluster.nodePools');
  assert.match(sum.detail, /^1,200,000 nodes is over kubesim's limit of 1,000,000 nodes/);
  // A count that is not a number keeps the ordinary message.
  assert.match(expectInputError(() => parse(pool('lots'))).detail, /^expected an integer between 0 and 1000000, got "lots"/);
});

test('files over the size cap and files that are not regular files are refused before reading', () => {
  const dir = tmp('big');
  const big = join(dir, 'big.yaml');
  writeFileSync(big, '');
  truncateSync(big, MAX_FILE_BYTES + 1); // sparse: nothing is written or read
  const e = expectInputError(() => readYamlFile(big));
  assert.is(e.file, big);
  assert.match(e.detail, `file is too large (${MAX_FILE_BYTES + 1} bytes; at most ${MAX_FILE_BYTES} bytes = 32 MiB are read)`);
  const text = expectInputError(() => parseYamlDocuments('#'.repeat(MAX_FILE_BYTES + 1), 'inline.yaml'));
  assert.match(text.detail, /^file is too large/);
  // /dev/zero would never end; a folder is named as such.
  assert.match(expectInputError(() => readYamlFile('/dev/zero')).detail, 'not a regular file');
  assert.match(expectInputError(() => readYamlFile(dir)).detail, 'is a directory');
});

test('a scenario naming one file many times is refused once its files would pass the total cap', () => {
  const dir = tmp('total');
  // 8 MiB of comments + one Pod: under the per-file cap, and ~0.1 s to parse.
  const podYaml = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n';
  const filler = ('#' + 'x'.repeat(1023) + '\n').repeat(8 * 1024);
  writeFileSync(join(dir, 'pod.yaml'), filler + podYaml);
  const size = filler.length + podYaml.length;
  const workloads = Array.from({ length: 9 }, (_, i) => `  - {name: w${i}, file: pod.yaml}\n`).join('');
  const scenario = join(dir, 'repeat.yaml');
  writeFileSync(scenario, `${pool('2')}workloads:\n${workloads}`);
  const own = readFileSync(scenario).length;
  // The scenario and 7 copies fit in 64 MiB (8 × 8 MiB + a little would not): the 8th copy is refused.
  assert.ok(own + 7 * size <= MAX_TOTAL_BYTES && own + 8 * size > MAX_TOTAL_BYTES);
  const e = expectInputError(() => loadScenario(scenario));
  assert.is(e.file, join(dir, 'pod.yaml'));
  assert.is(
    e.detail,
    `the scenario's files would total ${own + 8 * size} bytes; at most ${MAX_TOTAL_BYTES} bytes = 64 MiB are read per scenario (counting a file each time it is named)`,
  );
  // Seven are within the cap and load.
  writeFileSync(scenario, `${pool('2')}workloads:\n${workloads.split('\n').slice(0, 7).join('\n')}\n`);
  assert.is(loadScenario(scenario).scenario.objects.length, 7);
});

test('memory estimate: hand-computed figures, and the check names what to do', () => {
  // perRun = 2 × (1,000 × 3,000 + 10,000 × 2,500) = 56,000,000; kept = 3 runs × 3,601 samples × 200 B.
  const e = estimateMemory({ nodes: 1000, pods: 10_000, samples: 3601, runs: 3, threads: 2, podRows: false });
  assert.is(e.perRun, 56_000_000);
  assert.is(e.total, 60 * 2 ** 20 + 2 * (40 * 2 ** 20 + 56_000_000) + 3 * 3601 * 200);
  // pods.csv keeps 400 B per pod and run on the main thread.
  assert.is(
    estimateMemory({ nodes: 1000, pods: 10_000, samples: 3601, runs: 3, threads: 2, podRows: true }).total - e.total,
    3 * 10_000 * 400,
  );
  assert.is(checkMemory(e, { perThread: 2 ** 30, total: 2 ** 33, source: 'test' }, 2), null);
  assert.match(
    checkMemory(e, { perThread: 50_000_000, total: 2 ** 33, source: 'test' }, 2) ?? '',
    /^one run needs an estimated 53\.4 MiB of heap, over the 47\.7 MiB a worker thread may use \(test\);.*--max-memory/,
  );
  assert.is(
    checkMemory(e, { perThread: 2 ** 30, total: 2 ** 27, source: 'test' }, 2),
    'the sweep needs an estimated 248.9 MiB (2 threads at once), over the 128.0 MiB available (test); use a smaller scenario, fewer --jobs, or --max-memory SIZE (e.g. 16Gi) if you know it fits',
  );
  assert.is(formatBytes(512), '512 B');
  assert.is(formatBytes(1536), '1.5 KiB');
});

test('kubesim run refuses a sweep over the memory budget before starting; --max-memory sets the budget and the heap limit', () => {
  const dir = tmp('mem');
  const file = join(dir, 'mem.yaml');
  writeFileSync(file, `name: mem\n${pool('1000000')}`);
  const out = join(dir, 'out');
  const r = kubesim(['run', file, '--out', out, '--jobs', '1', '--max-memory', '1Gi']);
  assert.is(r.code, 2, r.stderr);
  // 2 × 1,000,000 × 3,000 B = 5.6 GiB per run against 1 GiB.
  assert.match(
    r.stderr,
    /kubesim: error: one run needs an estimated 5\.6 GiB of heap, over the 1\.0 GiB a worker thread may use \(--max-memory\)/,
  );
  assert.not.ok(existsSync(out), 'nothing ran, nothing written');
  const v = kubesim(['validate', file]);
  assert.is(v.code, 0, v.stderr);
  assert.match(v.stdout, /memory:\s+about 5\.6 GiB of heap per run/);
  const bad = kubesim(['run', small, '--max-memory', 'lots']);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--max-memory: expected a size such as 16Gi or 512Mi, got "lots"/);
  // A small sweep under a 256 MiB heap limit per worker runs.
  const ok = kubesim(['run', small, '--out', join(dir, 'ok'), '--jobs', '1', '--max-memory', '256Mi', '--policy', 'spread']);
  assert.is(ok.code, 0, ok.stderr);
});

// ---- safety ----

test('includes may not leave the scenario folder (by .. or a symbolic link) unless --allow-outside', () => {
  const root = tmp('inc');
  const dir = join(root, 'scenario');
  mkdirSync(dir);
  writeFileSync(join(root, 'outside.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: i}]}\n');
  symlinkSync(join(root, 'outside.yaml'), join(dir, 'link.yaml'));
  const body = (ref: string): string => `name: inc\n${pool('1')}workloads:\n  - file: ${ref}\n`;
  writeFileSync(join(dir, 'up.yaml'), body('../outside.yaml'));
  writeFileSync(join(dir, 'link-s.yaml'), body('link.yaml'));
  const up = kubesim(['validate', join(dir, 'up.yaml')]);
  assert.is(up.code, 2);
  assert.match(up.stderr, `${join(dir, 'up.yaml')}:8:`);
  assert.match(
    up.stderr,
    `workloads[0].file: "../outside.yaml" is outside the scenario's folder ${dir}; copy the file next to the scenario, or pass --allow-outside if you trust it`,
  );
  const link = kubesim(['validate', join(dir, 'link-s.yaml')]);
  assert.is(link.code, 2);
  assert.match(link.stderr, /"link\.yaml" resolves \(through a symbolic link\) to .*outside\.yaml, outside the scenario's folder/);
  for (const f of ['up.yaml', 'link-s.yaml']) {
    const ok = kubesim(['validate', join(dir, f), '--allow-outside']);
    assert.is(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /1 objects? \(1 Pod\)/);
  }
  // The workers load the scenario again: they must honour the flag too.
  const run = kubesim(['run', join(dir, 'up.yaml'), '--allow-outside', '--out', join(root, 'out'), '--jobs', '1']);
  assert.is(run.code, 0, run.stderr);
});

test('report.html escapes a hostile description end to end', () => {
  const dir = tmp('html');
  const file = join(dir, 'evil.yaml');
  writeFileSync(
    file,
    `name: evil\ndescription: '</title><script>alert("x")</script><img src=x onerror=alert(1)>'\n${pool('2')}workloads:\n  - name: w\n    arrival: {type: burst, count: 2}\n    pod: {spec: {containers: [{name: c, image: i}]}}\n`,
  );
  const r = kubesim(['run', file, '--out', join(dir, 'out'), '--jobs', '1']);
  assert.is(r.code, 0, r.stderr);
  const html = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
  assert.not.match(html, /<script|<img|<\/title><script/);
  assert.match(html, '&lt;/title&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
});

// ---- the per-run store ----

test('stored runs are reused only under the same key', () => {
  const { scenario } = loadScenario(small);
  const settings: RunSettings = {
    scenarioPath: small,
    allowOutside: false,
    sampleInterval: 1_000_000,
    pods: false,
    trace: null,
    traceSeed: 7,
  };
  const task = { index: 0, policy: 'spread', seed: 7 };
  const out = tmp('store');
  const key = runKey(scenario, task, settings);
  const r = executeTask(scenario, task, settings);
  storeRun(out, key, r);
  assert.equal(loadRun(out, { ...task, index: 5 }, key)?.output, r.output, 'the stored run comes back as it was (NaN included)');
  assert.is(loadRun(out, { ...task, index: 5 }, key)?.task.index, 5, "this sweep's index");
  // What changes the run changes the key; what does not, does not.
  assert.is.not(runKey(scenario, { ...task, seed: 8 }, settings), key);
  assert.is.not(runKey(scenario, task, { ...settings, sampleInterval: 500_000 }), key);
  assert.is.not(runKey(scenario, task, { ...settings, trace: 'nginx' }), key);
  assert.is(runKey(scenario, task, { ...settings, trace: 'nginx', traceSeed: 8 }), key, 'the trace only runs on its seed');
  assert.is(runKey({ ...scenario, description: 'other', replications: 9 }, task, settings), key);
  assert.is.not(runKey({ ...scenario, duration: scenario.duration + 1 }, task, settings), key);
  const pack = scenario.policies[1];
  assert.is(
    runKey({ ...scenario, policies: [scenario.policies[0], { ...pack, profiles: [] }] }, task, settings),
    key,
    "another policy's config does not matter",
  );
  assert.is(loadRun(out, task, 'stale'), null);
  assert.is(loadRun(out, { ...task, seed: 8 }, key), null, 'missing');
  writeFileSync(join(out, 'runs', 'spread.seed-7.json'), '{"format": "kubesim-run/v1", "key": ');
  assert.is(loadRun(out, task, key), null, 'a torn file is not reused');
});

// ---- interruption, crashes, resume (child processes, real signals) ----

/** Every report of a folder except engine.csv (wall clock) and runs/. */
function reports(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir)
      .filter((f) => f !== 'engine.csv' && f !== 'runs')
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
}

const storedRuns = (out: string): string[] =>
  existsSync(join(out, 'runs'))
    ? readdirSync(join(out, 'runs'))
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];

const SWEEP = ['--replications', '2']; // spread 7, spread 8, pack 7, pack 8
let reference: Map<string, string> | null = null;
function referenceReports(): Map<string, string> {
  if (reference === null) {
    const out = tmp('ref');
    const r = kubesim(['run', small, '--out', out, '--jobs', '2', ...SWEEP]);
    assert.is(r.code, 0, r.stderr);
    reference = reports(out);
  }
  return reference;
}

/** Starts kubesim, waits until `runs` runs are stored, sends `signal`, and resolves with the exit. */
function interrupt(
  args: string[],
  fault: string,
  runs: number,
  signal: NodeJS.Signals,
  out: string,
): Promise<{ code: number | null; signal: string | null; stderr: string; ms: number }> {
  return new Promise((resolveExit, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, KUBESIM_TEST_FAULT: fault },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let sentAt = 0;
    const deadline = Date.now() + 60_000;
    const poll = setInterval(() => {
      if (storedRuns(out).length >= runs) {
        clearInterval(poll);
        sentAt = Date.now();
        child.kill(signal);
      } else if (Date.now() > deadline) {
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(new Error(`no ${runs} stored runs within 60 s: ${stderr}`));
      }
    }, 20);
    child.on('exit', (code, sig) => {
      clearInterval(poll);
      resolveExit({ code, signal: sig, stderr, ms: Date.now() - sentAt });
    });
  });
}

test('SIGINT stops a sweep at once (even mid-run), keeps the finished runs, exits 130; --resume finishes it with the same reports', async () => {
  const out = tmp('sigint');
  // One thread: spread 7, spread 8 and pack 7 finish, then pack 8 never ends.
  const r = await interrupt(['run', small, '--out', out, '--jobs', '1', ...SWEEP], 'hang:pack:8', 3, 'SIGINT', out);
  assert.is(r.code, 130, r.stderr);
  assert.ok(r.ms < 5000, `stopped ${r.ms} ms after the signal`);
  assert.match(r.stderr, 'kubesim: SIGINT received: stopping the runs in progress');
  assert.match(
    r.stderr,
    `interrupted: 3 of 4 runs are complete and kept in ${join(out, 'runs')}/; no report was written (it needs every run).`,
  );
  assert.equal(storedRuns(out), ['pack.seed-7.json', 'spread.seed-7.json', 'spread.seed-8.json']);
  assert.not.ok(existsSync(join(out, 'summary.csv')), 'no aggregate of part of the sweep');
  assert.equal(
    readdirSync(join(out, 'runs')).filter((f) => !f.endsWith('.json')),
    [],
    'no temporary file left',
  );
  const resumed = kubesim(['run', small, '--out', out, '--jobs', '1', '--resume', ...SWEEP]);
  assert.is(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, `resume: 3 of 4 runs already complete in ${join(out, 'runs')}/; running 1`);
  assert.match(resumed.stdout, /1 runs \(3 reused\) on 1 thread/);
  assert.equal(reports(out), referenceReports());
});

test('SIGTERM exits 143 with the finished runs kept', async () => {
  const out = tmp('sigterm');
  // Two threads: spread 7 hangs on one, the other three finish on the other.
  const r = await interrupt(['run', small, '--out', out, '--jobs', '2', ...SWEEP], 'hang:spread:7', 3, 'SIGTERM', out);
  assert.is(r.code, 143, r.stderr);
  assert.match(r.stderr, 'interrupted: 3 of 4 runs are complete');
  assert.equal(storedRuns(out), ['pack.seed-7.json', 'pack.seed-8.json', 'spread.seed-8.json']);
});

test('a crashed worker thread is reported and its run retried once, with the same reports; a second crash fails the sweep, keeping the rest', () => {
  const out = tmp('crash');
  const r = kubesim(['run', small, '--out', out, '--jobs', '2', ...SWEEP], { KUBESIM_TEST_FAULT: 'crash:pack:8' });
  assert.is(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    'kubesim: worker thread failed on run pack seed 8 (worker exited with code: 70); retrying it once on a fresh thread',
  );
  assert.equal(reports(out), referenceReports());
  const out2 = tmp('crash2');
  const r2 = kubesim(['run', small, '--out', out2, '--jobs', '1', ...SWEEP], { KUBESIM_TEST_FAULT: 'crash-always:spread:8' });
  assert.is(r2.code, 1);
  assert.match(
    r2.stderr,
    'kubesim: error: run spread seed 8 failed twice (the second time on a fresh worker thread): worker exited with code: 70',
  );
  assert.not.match(r2.stderr, /\n\s+at /, 'no stack trace');
  assert.not.ok(existsSync(join(out2, 'summary.csv')));
  // One thread: the retry queues behind pack 7 and 8, so every other run finished and is kept.
  assert.equal(storedRuns(out2), ['pack.seed-7.json', 'pack.seed-8.json', 'spread.seed-7.json']);
  assert.match(r2.stderr, `3 of 4 runs are complete and kept in ${join(out2, 'runs')}/; no report was written`);
});

// ---- the GPU replay runs on worker threads too ----

const gpuTiny = join(here, '..', '..', 'test', 'fixtures', 'gpu', 'tiny.yaml');
const GPU_SWEEP = ['--replications', '2', '--policy', 'FGD', '--policy', 'Random']; // FGD 1, FGD 2, Random 1, Random 2

test('a GPU replay sweep gives the same reports on 1 and 2 threads and after a retried worker crash', () => {
  const one = tmp('gpu1');
  const r1 = kubesim(['run', gpuTiny, '--out', one, '--jobs', '1', ...GPU_SWEEP]);
  assert.is(r1.code, 0, r1.stderr);
  assert.match(r1.stdout, /4 runs on 1 thread in/);
  const two = tmp('gpu2');
  const r2 = kubesim(['run', gpuTiny, '--out', two, '--jobs', '2', ...GPU_SWEEP], { KUBESIM_TEST_FAULT: 'crash:Random:1' });
  assert.is(r2.code, 0, r2.stderr);
  assert.match(r2.stderr, 'worker thread failed on run Random seed 1');
  assert.equal(reports(two), reports(one));
  assert.equal([...reports(one).keys()], ['fragmentation.csv', 'gpu-comparison.csv', 'gpu-summary.csv', 'report.html']);
  const failed = tmp('gpu-fail');
  const r3 = kubesim(['run', gpuTiny, '--out', failed, '--jobs', '2', ...GPU_SWEEP], { KUBESIM_TEST_FAULT: 'crash-always:FGD:2' });
  assert.is(r3.code, 1);
  assert.match(r3.stderr, 'run FGD seed 2 failed twice');
  assert.equal(readdirSync(failed), [], 'no report from part of the sweep');
});

test('SIGINT stops a GPU replay sweep at once, exits 130 and writes no report', async () => {
  const out = tmp('gpu-sigint');
  const child = spawn(process.execPath, [cli, 'run', gpuTiny, '--out', out, '--jobs', '1', ...GPU_SWEEP], {
    env: { ...process.env, KUBESIM_TEST_FAULT: 'hang:FGD:2' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // The other runs take milliseconds; FGD seed 2 never ends. 4 s covers start-up on a loaded machine. Piscina does
  // not hand tasks out in submission order, so how many finished before the hang is not fixed.
  await new Promise((r) => setTimeout(r, 4000));
  const sentAt = Date.now();
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.is(code, 130, stderr);
  assert.ok(Date.now() - sentAt < 5000);
  assert.match(stderr, /interrupted: [0-3] of 4 GPU replays finished; no report was written/);
  assert.equal(readdirSync(out), []);
});
test.run();
