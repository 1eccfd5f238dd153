/**
 * Every test file registers its tests before `test.run()`: uvu runs only the tests registered by then (a later
 * one is silently skipped when its file runs alone, and lands in another file's run in the full suite).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { REPO } from './helpers.js';

test('no test is registered after test.run()', () => {
  const files = ['test', 'engine']
    .flatMap((dir) => readdirSync(join(REPO, dir), { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)))
    .filter((f) => f.endsWith('.test.ts'));
  assert.ok(files.length > 50, `${files.length} test files found`);
  const late = files.filter((f) => {
    const src = readFileSync(join(REPO, f), 'utf8');
    const run = src.lastIndexOf('test.run()');
    return run < 0 || /^test(\.\w+)?\(/m.test(src.slice(run + 'test.run()'.length));
  });
  assert.equal(late, []);
});

test.run();
