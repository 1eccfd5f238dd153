/**
 * Arrival processes whose rate varies (ramp, diurnal) and churn (scheduler_perf's churn op): times
 * hand-computed from the cumulative rate, the Poisson form's defining properties, churn steps and counts, and
 * churn workloads end to end through the loader and a run.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RngFactory } from '../engine/core/rng.js';
import { runOnce } from '../engine/run.js';
import { parseScenario } from '../engine/scenario/load.js';
import { parseYamlDocuments } from '../engine/scenario/yaml-field.js';
import { churnCreations, churnSteps, varyingRateTimes } from '../engine/workload/arrivals.js';
import { expectInputError } from './helpers.js';

const S = 1_000_000;

test('ramp, evenly spaced: pod i at Λ⁻¹(i) with Λ(t) = from·t + (to − from)·t²/(2·over), then the rate stays at `to`', () => {
  // 0 → 10 pods/s over 10 s: Λ(t) = t²/2, so t = √(2i); Λ(10 s) = 50, pod 51 at 10 s + 1/10 s.
  const t = varyingRateTimes({ type: 'ramp', from: 0, to: 10, over: 10 * S }, 0, 52, null);
  assert.equal(t.slice(0, 5), [0, 1_414_214, 2_000_000, 2_449_490, 2_828_427]);
  assert.is(t[50], 10 * S);
  assert.is(t[51], 10_100_000);
  // A flat ramp is a constant rate; a start shifts every time.
  assert.equal(varyingRateTimes({ type: 'ramp', from: 4, to: 4, over: 10 * S }, 3 * S, 4, null), [3 * S, 3_250_000, 3_500_000, 3_750_000]);
  // Falling 10 → 2 pods/s over 4 s: Λ(t) = 10t − t², Λ(4 s) = 24; pod 9 at t = 5 − √(25 − 9) = 1 s.
  const down = varyingRateTimes({ type: 'ramp', from: 10, to: 2, over: 4 * S }, 0, 26, null);
  assert.is(down[9], 1 * S);
  assert.is(down[24], 4 * S);
  assert.is(down[25], 4_500_000);
});

test('diurnal, evenly spaced: piecewise-constant rates per slot, repeating every period, slots at 0 skipped', () => {
  // Period 4 s, slots of 1 s at 2, 0, 1, 0 pods/s: 3 pods per period.
  const t = varyingRateTimes({ type: 'diurnal', period: 4 * S, rates: [2, 0, 1, 0] }, 0, 7, null);
  assert.equal(t, [0, 500_000, 2 * S, 4 * S, 4_500_000, 6 * S, 8 * S]);
  // A profile that starts with an idle slot puts the first pod at the first busy slot.
  assert.equal(varyingRateTimes({ type: 'diurnal', period: 2 * S, rates: [0, 1] }, 0, 2, null), [1 * S, 2 * S + 1 * S]);
});

test('diurnal: a target on a period boundary whose first slot has rate 0 maps to a finite, non-decreasing time', () => {
  // 56 s periods of two 28 s slots at 0 and 0.01 pods/s: 0.28 pods per period. Pod 77 (target 77 = 275 periods
  // exactly) is where Math.floor(77 / 0.28) rounds up; it arrives in period 275's slot at 0.01/s, 28 s after its start.
  const ts = varyingRateTimes({ type: 'diurnal', period: 56e6, rates: [0, 0.01] }, 0, 80, null);
  for (let i = 1; i < ts.length; i++) assert.ok(Number.isFinite(ts[i]) && ts[i] >= ts[i - 1], `pod ${i}: ${ts[i - 1]} → ${ts[i]}`);
  assert.is(ts[77], 275 * 56e6 + 28e6);
});

test('diurnal and ramp, Poisson: no arrival where the rate is 0, counts per period as the rates say, one draw per pod', () => {
  const rng = new RngFactory(11).stream('t');
  const t = varyingRateTimes({ type: 'diurnal', period: 2 * S, rates: [100, 0] }, 0, 10_000, rng);
  assert.ok(
    t.every((x) => x % (2 * S) <= 1 * S),
    'every arrival in the busy half',
  );
  assert.ok(
    t.every((x, i) => i === 0 || x >= t[i - 1]),
    'in order',
  );
  // 100 pods per period: 10,000 pods span ~100 periods (Poisson sd of 10,000 arrivals is 100 = 1 period; 5σ).
  const periods = t[t.length - 1] / (2 * S);
  assert.ok(periods > 95 && periods < 105, `${periods} periods`);
  // The same stream position gives the same times: the draws do not depend on the profile's shape.
  const a = varyingRateTimes({ type: 'ramp', from: 1, to: 1, over: 0 }, 0, 50, new RngFactory(3).stream('x'));
  const b = varyingRateTimes({ type: 'diurnal', period: 10 * S, rates: [1, 1, 1, 1] }, 0, 50, new RngFactory(3).stream('x'));
  assert.equal(a, b, 'a rate of 1 pod/s either way gives identical Poisson arrivals');
});

test('churn steps: recreate creates `number` pods one per tick, then deletes them oldest first; create stops at `number`', () => {
  const steps = churnSteps({ mode: 'recreate', number: 2, interval: S, start: 0 }, 5 * S);
  assert.equal(
    steps.map((s) => `${s.t / S}:${s.op}:${s.pod}`),
    ['0:create:0', '1:create:1', '2:delete:0', '3:delete:1', '4:create:2', '5:create:3'],
  );
  assert.is(churnCreations({ mode: 'recreate', number: 2, interval: S, start: 0 }, 5 * S), 4);
  assert.is(churnCreations({ mode: 'recreate', number: 2, interval: S, start: 0 }, 7 * S), 4, 'ticks 6 and 7 delete');
  assert.is(churnSteps({ mode: 'create', number: 3, interval: 500_000, start: S }, 100 * S).length, 3);
  assert.is(
    churnCreations({ mode: 'create', number: 0, interval: 500_000, start: S }, 10 * S),
    19,
    'unlimited: one per tick from 1 s to 10 s',
  );
  assert.is(churnCreations({ mode: 'create', number: 0, interval: S, start: 5 * S }, 4 * S), 0);
});

const scenario = (arrival: string, duration = '10500ms') =>
  parseScenario(
    parseYamlDocuments(
      `name: churn
duration: ${duration}
cluster:
  nodePools: [{name: n, count: 2, template: {cpu: "8", memory: 16Gi}}]
workloads:
  - name: w
    arrival: ${arrival}
    pod: {spec: {containers: [{name: c, image: i, resources: {requests: {cpu: 100m}}}]}}
`,
      'churn.yaml',
    )[0],
    'churn.yaml',
  ).scenario;

test('a recreate churn runs end to end: created and deleted pods as the steps say', () => {
  // Ticks at 0…10 s: creates at 0, 1, 2; deletes at 3, 4, 5; creates at 6, 7, 8; deletes at 9, 10.
  const sc = scenario('{type: churn, mode: recreate, number: 3, interval: 1s}');
  assert.is(sc.podWorkloads[0].arrival.count, 6, 'count filled from the duration (for the limits)');
  const r = runOnce(sc, sc.policies[0], 1);
  assert.is(r.summary.pods_created, 6);
  assert.is(r.summary.pods_deleted, 5);
  assert.is(r.summary.pods_running + r.summary.pods_starting_end + r.summary.pods_pending_end, 1);
  // Deletes are graceful (30 s): a deleted pod whose containers run is still Terminating at the end, marked at
  // its delete + 30 s (one whose containers had not started yet is already gone).
  assert.equal(
    r.store.pods.filter((p) => p.metadata.deletionTimestamp === undefined).map((p) => p.metadata.name),
    ['w-5'],
  );
  const markedAt: Record<string, number> = { 'w-0': 33 * S, 'w-1': 34 * S, 'w-2': 35 * S, 'w-3': 39 * S, 'w-4': 40 * S };
  for (const p of r.store.pods)
    if (p.metadata.name !== 'w-5') assert.is(p.metadata.deletionTimestamp, markedAt[p.metadata.name], p.metadata.name);
});

test('ramp and diurnal arrivals load and run; bad rates are refused at the field', () => {
  const ramp = scenario('{type: ramp, from: 0, to: 20, over: 5s, count: 30}', '1m');
  const r = runOnce(ramp, ramp.policies[0], 1);
  assert.is(r.summary.pods_created, 30);
  const di = scenario('{type: diurnal, rates: [1, 3], period: 4s, count: 8, poisson: false}', '1m');
  assert.equal(di.podWorkloads[0].arrival, {
    type: 'varying',
    rate: { type: 'diurnal', period: 4 * S, rates: [1, 3] },
    start: 0,
    count: 8,
    poisson: false,
  });
  const zero = expectInputError(() => scenario('{type: diurnal, rates: [0, 0], count: 1}'));
  assert.is(zero.path, 'workloads[0].arrival.rates');
  assert.is(zero.detail, 'expected at least one positive rate');
  assert.is(expectInputError(() => scenario('{type: ramp, from: 1, to: 0, over: 1s, count: 1}')).path, 'workloads[0].arrival.to');
  assert.match(
    expectInputError(() => scenario('{type: churn, mode: recreate}')).detail,
    'expected the number of pods a recreate churn creates then deletes',
  );
  assert.match(expectInputError(() => scenario('{type: churn, mode: create, intervall: 1s}')).detail, 'did you mean "interval"?');
  const big = expectInputError(() => scenario('{type: churn, mode: create, interval: 1us}', '1h'));
  assert.match(big.detail, /^3,600,000,001 pods is over kubesim's limit of 10,000,000 pods/);
});

test.run();
