import { constant, lognormalFromP99, type Distribution } from '../core/distribution.js';
import type { Field } from './yaml-field.js';

/** A duration distribution: a plain duration (constant) or {type: constant|uniform|exponential|lognormal|empirical, …}. */
export function parseDistribution(f: Field): Distribution {
  if (f.kind() === 'scalar') return constant(f.duration());
  const type = f.get('type').oneOf(['constant', 'uniform', 'exponential', 'lognormal', 'empirical'] as const);
  switch (type) {
    case 'constant':
      f.rejectUnknownKeys(['type', 'value']);
      return constant(f.get('value').duration());
    case 'uniform': {
      f.rejectUnknownKeys(['type', 'min', 'max']);
      const min = f.get('min').duration();
      const max = f.get('max').duration();
      if (max < min) f.get('max').fail('expected max ≥ min');
      return { type, min, max };
    }
    case 'exponential':
      f.rejectUnknownKeys(['type', 'mean']);
      return { type, mean: f.get('mean').duration() };
    case 'lognormal': {
      f.rejectUnknownKeys(['type', 'median', 'p99', 'sigma']);
      const median = f.get('median').duration();
      if (median <= 0) f.get('median').fail('expected a positive median');
      if (f.get('p99').exists === f.get('sigma').exists) f.fail('expected exactly one of p99 or sigma');
      if (f.get('sigma').exists) return { type, median, sigma: f.get('sigma').num({ min: 0 }) };
      const p99 = f.get('p99').duration();
      if (p99 < median) f.get('p99').fail('expected p99 ≥ median');
      return lognormalFromP99(median, p99);
    }
    case 'empirical': {
      f.rejectUnknownKeys(['type', 'values', 'weights']);
      const values = f
        .get('values')
        .items()
        .map((v) => v.duration());
      if (values.length === 0) f.get('values').fail('expected at least one value');
      if (!f.get('weights').exists) return { type, values };
      const weights = f
        .get('weights')
        .items()
        .map((w) => w.num({ min: 0 }));
      if (weights.length !== values.length)
        f.get('weights').fail(`expected ${values.length} weights (one per value), got ${weights.length}`);
      return { type, values, weights };
    }
  }
}
