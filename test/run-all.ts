/**
 * Runs every compiled test file (dist/test/*.test.js, and the tests beside the scheduler plugins,
 * dist/engine/scheduler/plugins/<name>/*.test.js) with uvu in a child process and prints the closing line CI
 * reads, "N passed, N failed", from uvu's own totals; exits non-zero on any failure or crash.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const uvuBin = join(dirname(require.resolve('uvu')), '..', 'bin.js');
const filter = process.argv[2] ?? '';

const dist = join(here, '..');
const repo = join(dist, '..');
// The build is incremental and never deletes: a compiled test whose source was moved or removed would still run.
const stale = readdirSync(dist, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.js') && !existsSync(join(repo, f.replace(/\.js$/, '.ts'))))
  .flatMap((f) => ['-i', f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')]);
const child = spawnSync(process.execPath, [uvuBin, dist, `^(test|engine)/.*(${filter}).*\\.test\\.js$`, ...stale], {
  encoding: 'utf8',
  env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  maxBuffer: 256 * 1024 * 1024,
});
process.stdout.write(child.stdout ?? '');
process.stderr.write(child.stderr ?? '');

const num = (label: string): number | null => {
  const m = new RegExp(`^\\s*${label}:\\s+(\\d+)`, 'm').exec(child.stdout ?? '');
  return m === null ? null : Number(m[1]);
};
const total = num('Total');
const passed = num('Passed');
const skipped = num('Skipped') ?? 0;
let failed = total !== null && passed !== null ? total - passed - 0 : 1;
if (child.status !== 0 && failed === 0) failed = 1; // crashed outside a test
process.stdout.write(`${passed ?? 0} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 || child.status !== 0 ? 1 : 0);
