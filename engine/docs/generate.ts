/**
 * `npm run docs`: writes the generated references, docs/reference/cli.md (from engine/cli.ts's yargs
 * definitions) and docs/reference/scenario-format.md (from scenarios/scenario.schema.json).
 * test/docs.test.ts regenerates them in memory and fails when the committed files differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliCommands, renderCliReference } from './cli-reference.js';
import { renderScenarioReference, type Schema } from './scenario-reference.js';

/** The repository root: dist/engine/docs/generate.js is three folders below it. */
export const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');

/** Each generated file (relative to the root) and its current text. */
export async function generatedDocs(root: string = ROOT): Promise<Map<string, string>> {
  const schema = JSON.parse(readFileSync(join(root, 'scenarios', 'scenario.schema.json'), 'utf8')) as Schema;
  return new Map([
    ['docs/reference/cli.md', renderCliReference(await cliCommands())],
    ['docs/reference/scenario-format.md', renderScenarioReference(schema)],
  ]);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const [file, text] of await generatedDocs()) {
    writeFileSync(join(ROOT, file), text);
    process.stdout.write(`wrote ${file}\n`);
  }
}
