/**
 * The scenario's `gpuReplay:` section: the FGD study's arrival-only replay options.
 * Kept apart from experiment.ts so that the scenario's types can name it without importing the replay driver.
 */
import type { Field } from '../scenario/yaml-field.js';
import type { ReplayOptions } from './replay.js';

export interface GpuReplaySpec extends ReplayOptions {
  readonly compareAt: readonly number[];
}

export function parseGpuReplay(f: Field): GpuReplaySpec {
  f.rejectUnknownKeys(['tuneRatio', 'shuffle', 'popularityThreshold', 'compareAt']);
  const tuneRatio = f.get('tuneRatio').optNum(1.3, { min: 0, max: 10 });
  const maxX = Math.round(tuneRatio * 100);
  const compareAt = f.get('compareAt').exists
    ? f
        .get('compareAt')
        .items()
        .map((x) => x.int({ min: 0, max: Math.max(maxX, 100) }))
    : [100, Math.max(maxX, 100)].filter((x, i, a) => a.indexOf(x) === i);
  return {
    tuneRatio,
    shuffle: f.get('shuffle').optBool(true),
    popularityThreshold: f.get('popularityThreshold').optNum(95, { min: 0, max: 100 }),
    compareAt,
  };
}
