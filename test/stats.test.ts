/** Student-t quantiles, confidence intervals and paired differences (engine/metrics/stats.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { meanInterval, pairedDifference, regularizedBeta, studentTCdf, studentTQuantile, verdict } from '../engine/metrics/stats.js';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('t quantiles match the published table (two-sided 95% and others)', () => {
  // Standard t table values (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2).
  close(studentTQuantile(0.975, 1), 12.706, 5e-4, 't(0.975, 1)');
  close(studentTQuantile(0.975, 2), 4.303, 5e-4, 't(0.975, 2)');
  close(studentTQuantile(0.975, 4), 2.776, 5e-4, 't(0.975, 4)');
  close(studentTQuantile(0.975, 29), 2.045, 5e-4, 't(0.975, 29)');
  close(studentTQuantile(0.95, 5), 2.015, 5e-4, 't(0.95, 5)');
  close(studentTQuantile(0.995, 10), 3.169, 5e-4, 't(0.995, 10)');
  // The normal limit: z(0.975) = 1.959964.
  close(studentTQuantile(0.975, 1e7), 1.959964, 1e-5, 't(0.975, ∞)');
  close(studentTQuantile(0.025, 4), -2.776, 5e-4, 'symmetry');
});

test('t CDF: closed forms for 1 and 2 degrees of freedom', () => {
  // df = 1 is the Cauchy distribution: F(t) = 1/2 + atan(t)/π; df = 2: F(t) = 1/2 + t / (2·sqrt(2 + t²)).
  for (const t of [-3, -0.5, 0, 0.7, 2, 10]) {
    close(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-12, `Cauchy ${t}`);
    close(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-12, `df 2 at ${t}`);
  }
  // I_x(1, 1) = x; I_x(a, 1) = x^a.
  close(regularizedBeta(0.3, 1, 1), 0.3, 1e-14, 'I(1,1)');
  close(regularizedBeta(0.6, 3, 1), 0.216, 1e-13, 'I(3,1)');
});

test('mean interval, hand-computed: 10, 12, 14, 16, 18', () => {
  // mean 14, s² = (16+4+0+4+16)/4 = 10, standard error sqrt(10/5) = sqrt(2), half-width t(0.975,4)·sqrt(2).
  const i = meanInterval([10, 12, 14, 16, 18]);
  assert.is(i.n, 5);
  assert.is(i.mean, 14);
  close(i.sd, Math.sqrt(10), 1e-12, 'sd');
  close(i.halfWidth, 2.776445 * Math.SQRT2, 1e-5, 'half-width');
  close(i.halfWidth, 3.9265, 1e-4, 'half-width (rounded)');
  const one = meanInterval([3]);
  assert.is(one.mean, 3);
  assert.ok(Number.isNaN(one.halfWidth), 'one value: no interval');
});

test('paired differences and verdicts', () => {
  // d = [1, 2, 1]: mean 4/3, s² = (1/9 + 4/9 + 1/9)/2 = 1/3, se = sqrt(1/9) = 1/3, half = t(0.975, 2)/3 = 1.4342.
  const d = pairedDifference([5, 7, 6], [4, 5, 5]);
  close(d.mean, 4 / 3, 1e-12, 'mean');
  close(d.halfWidth, 4.302653 / 3, 1e-5, 'half-width');
  assert.is(verdict(d, 'lower'), 'no significant difference', 'the interval contains 0');
  // d = [2, 3, 2]: same spread, mean 7/3 > 1.4342 → significant.
  const e = pairedDifference([6, 8, 7], [4, 5, 5]);
  assert.is(verdict(e, 'lower'), 'worse');
  assert.is(verdict(e, 'higher'), 'better');
  assert.is(verdict(e, 'none'), 'different');
  assert.is(verdict(pairedDifference([1, 2, 3], [1, 2, 3]), 'lower'), 'no difference');
  assert.is(verdict(pairedDifference([5], [4]), 'lower'), 'no interval');
  // A constant non-zero difference is certain.
  assert.is(verdict(pairedDifference([5, 6, 7], [4, 5, 6]), 'higher'), 'better');
  assert.throws(() => pairedDifference([1, 2], [1]));
});

test.run();
