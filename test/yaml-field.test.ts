import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../engine/scenario/input-error.js';
import { Field, parseYamlDocuments, readYamlFile, suggestClosest } from '../engine/scenario/yaml-field.js';
import { expectInputError } from './helpers.js';

function doc(text: string, file = 'test.yaml'): Field {
  const docs = parseYamlDocuments(text, file);
  assert.is(docs.length, 1, 'expected exactly one document');
  return docs[0];
}

const inputError = expectInputError;

test('InputError formats file:line:column: path: detail and drops unknown parts', () => {
  assert.is(new InputError('a.yaml', 3, 7, 'spec.replicas', 'bad').message, 'a.yaml:3:7: spec.replicas: bad');
  assert.is(new InputError('a.yaml', 3, 0, '', 'bad').message, 'a.yaml:3: bad');
  assert.is(new InputError('a.yaml', 0, 0, 'x', 'bad').message, 'a.yaml: x: bad');
  assert.is(new InputError('', 0, 0, '', 'bad').message, 'bad');
  const e = new InputError('f', 1, 2, 'p', 'd');
  assert.is(e.name, 'InputError');
  assert.equal([e.file, e.line, e.column, e.path, e.detail], ['f', 1, 2, 'p', 'd']);
});

test('multi-document streams skip empty documents', () => {
  const docs = parseYamlDocuments('a: 1\n---\n# only a comment\n---\n---\nb: 2\n', 'm.yaml');
  assert.is(docs.length, 2);
  assert.is(docs[0].get('a').int(), 1);
  assert.is(docs[1].get('b').int(), 2);
  assert.is(docs[1].line, 6);
  assert.equal(parseYamlDocuments('', 'empty.yaml'), []);
});

test('kinds, exists and positions', () => {
  const f = doc('m:\n  k: v\ns: [1, 2]\nn: ~\ne:\nx: hello\n');
  assert.is(f.kind(), 'map');
  assert.is(f.get('m').kind(), 'map');
  assert.is(f.get('s').kind(), 'seq');
  assert.is(f.get('n').kind(), 'null');
  assert.is(f.get('e').kind(), 'null');
  assert.ok(f.get('e').exists);
  assert.is(f.get('nope').kind(), 'missing');
  assert.not.ok(f.get('nope').exists);
  // A value on the key's line points at the value; a block mapping points at its key.
  assert.equal([f.get('x').line, f.get('x').column], [6, 4]);
  assert.equal([f.get('m').line, f.get('m').column], [1, 1]);
  assert.equal([f.get('m').get('k').line, f.get('m').get('k').column], [2, 6]);
  // A missing key reports its parent's position.
  const missing = f.get('m').get('absent');
  assert.equal([missing.line, missing.column, missing.path], [1, 1, 'm.absent']);
});

test('paths use brackets for keys that are not identifiers', () => {
  const f = doc('metadata:\n  labels:\n    app.kubernetes.io/name: x\nitems:\n  - a: 1\n');
  const [[key, child]] = f.get('metadata').get('labels').entries();
  assert.is(key, 'app.kubernetes.io/name');
  assert.is(child.path, 'metadata.labels["app.kubernetes.io/name"]');
  assert.is(f.get('items').items()[0].get('a').path, 'items[0].a');
});

test('get on a scalar and items on a mapping are errors; missing and null give empty results', () => {
  const f = doc('s: text\nm: {a: 1}\nn: null\n');
  const e1 = inputError(() => f.get('s').get('x'));
  assert.is(e1.message, 'test.yaml:1:4: s: expected a mapping, got "text"');
  const e2 = inputError(() => f.get('m').items());
  assert.match(e2.message, 'm: expected a list, got a mapping');
  assert.equal(f.get('n').items(), []);
  assert.equal(f.get('absent').items(), []);
  assert.equal(f.get('n').keys(), []);
  assert.equal(f.get('n').get('deeper').exists, false);
});

test('keys and entries keep document order', () => {
  const f = doc('z: 1\na: 2\nm: 3\n');
  assert.equal(f.keys(), ['z', 'a', 'm']);
  assert.equal(
    f.entries().map(([k, v]) => [k, v.int()]),
    [
      ['z', 1],
      ['a', 2],
      ['m', 3],
    ],
  );
});

test('str refuses numbers and booleans; scalarString keeps their source text', () => {
  const f = doc('version: 1.10\nflag: true\nname: web\nhex: 0x10\n');
  const e = inputError(() => f.get('version').str());
  assert.match(e.message, 'expected a string, got the number 1.10');
  assert.match(e.message, 'quote it ("1.10")');
  assert.is(f.get('version').scalarString(), '1.10');
  assert.is(f.get('flag').scalarString(), 'true');
  assert.is(f.get('hex').scalarString(), '0x10');
  assert.is(f.get('name').str(), 'web');
  assert.is(f.get('absent').optStr('dflt'), 'dflt');
  assert.match(inputError(() => f.get('absent').str()).message, 'absent: required field is missing; expected a string');
});

test('int and num check type and bounds and say what they got', () => {
  const f = doc('a: abc\nb: 0\nc: 1.5\nd: 7\ne: .inf\n');
  assert.is(inputError(() => f.get('a').int({ min: 1 })).message, 'test.yaml:1:4: a: expected an integer ≥ 1, got "abc"');
  assert.is(inputError(() => f.get('b').int({ min: 1 })).detail, 'expected an integer ≥ 1, got 0');
  assert.is(inputError(() => f.get('c').int()).detail, 'expected an integer, got the number 1.5');
  assert.is(inputError(() => f.get('d').int({ min: 0, max: 5 })).detail, 'expected an integer between 0 and 5, got 7');
  assert.is(f.get('d').int({ max: 7 }), 7);
  assert.is(f.get('c').num(), 1.5);
  assert.match(inputError(() => f.get('e').num()).detail, 'expected a number');
  assert.is(f.get('absent').optInt(3), 3);
  assert.is(f.get('absent').optNum(2.5), 2.5);
});

test('bool, oneOf and suggestions', () => {
  const f = doc('a: yes\nb: false\np: always\nq: Never\n');
  assert.is(inputError(() => f.get('a').bool()).detail, 'expected true or false, got "yes"');
  assert.is(f.get('b').bool(), false);
  assert.is(f.get('absent').optBool(true), true);
  const policies = ['Always', 'OnFailure', 'Never'] as const;
  assert.is(f.get('q').oneOf(policies), 'Never');
  assert.is(
    inputError(() => f.get('p').oneOf(policies)).detail,
    'expected one of "Always", "OnFailure", "Never", got "always"; did you mean "Always"?',
  );
  assert.is(f.get('absent').optOneOf(policies, 'OnFailure'), 'OnFailure');
  assert.is(suggestClosest('replica', ['replicas', 'selector']), 'replicas');
  assert.is(suggestClosest('zzzzzz', ['replicas']), undefined);
});

test('stringMap reads scalars as text and refuses nested values', () => {
  const f = doc('labels:\n  app: web\n  version: 1.10\n  empty:\n  on: true\nbad:\n  k: [1]\n');
  assert.equal(f.get('labels').stringMap(), { app: 'web', version: '1.10', empty: '', on: 'true' });
  assert.equal(f.get('absent').stringMap(), {});
  const e = inputError(() => f.get('bad').stringMap());
  assert.is(e.path, 'bad.k');
  assert.is(e.line, 7);
  assert.match(e.detail, 'got a list');
});

test('duration: Go syntax, numbers of seconds, rounding to microseconds', () => {
  const f = doc(
    [
      'a: 300ms',
      'b: 1.5h',
      'c: 2h45m',
      'd: 10s',
      'e: 100us',
      'f: 100µs',
      'g: 100μs',
      'h: 5ns',
      'i: 1500ns',
      'j: 1.5',
      'k: 0',
      'l: "0"',
      'm: .5s',
      'n: 1m0.0000015s',
    ].join('\n'),
  );
  const got = Object.fromEntries(f.entries().map(([k, v]) => [k, v.duration()]));
  assert.equal(got, {
    a: 300_000,
    b: 5_400_000_000,
    c: 9_900_000_000,
    d: 10_000_000,
    e: 100,
    f: 100,
    g: 100,
    h: 0,
    i: 2,
    j: 1_500_000,
    k: 0,
    l: 0,
    m: 500_000,
    n: 60_000_002,
  });
  assert.is(f.get('absent').optDuration(42), 42);
});

test('duration errors say what was expected', () => {
  const f = doc('a: "10"\nb: -5s\nc: -1\nd: 10 parsecs\ne: 5d\nf: [1]\n');
  assert.match(inputError(() => f.get('a').duration()).detail, 'missing unit in duration (write "10s" for seconds)');
  assert.is(inputError(() => f.get('b').duration()).detail, 'expected a non-negative duration, got "-5s"');
  assert.is(inputError(() => f.get('c').duration()).detail, 'expected a non-negative duration, got -1');
  assert.match(inputError(() => f.get('d').duration()).detail, 'expected a duration such as "300ms"');
  assert.match(inputError(() => f.get('e').duration()).detail, 'unknown unit "d"');
  assert.match(inputError(() => f.get('f').duration()).detail, 'got a list');
});

test('resourceList: cpu in millicores, others rounded up, errors at the field', () => {
  const f = doc(
    'ok:\n  cpu: 250m\n  memory: 1Gi\n  nvidia.com/gpu: 2\n  ephemeral-storage: 1.5\n  small: 100m\n' +
      'num:\n  cpu: 0.5\n' +
      'bad:\n  cpu: lots\n' +
      'neg:\n  memory: -1Gi\n',
  );
  assert.equal(f.get('ok').resourceList(), {
    cpu: 250,
    memory: 1024 ** 3,
    'nvidia.com/gpu': 2,
    'ephemeral-storage': 2,
    small: 1,
  });
  assert.equal(f.get('num').resourceList(), { cpu: 500 });
  assert.equal(f.get('absent').resourceList(), {});
  const e = inputError(() => f.get('bad').resourceList());
  assert.is(e.message, 'test.yaml:10:8: bad.cpu: expected a CPU quantity such as "500m" or "2", got "lots"');
  assert.match(inputError(() => f.get('neg').resourceList()).detail, 'expected a non-negative quantity');
});

test('rejectUnknownKeys names the key, its position, and the closest allowed key', () => {
  const f = doc('spec:\n  replicas: 1\n  replica: 3\n');
  const e = inputError(() => f.get('spec').rejectUnknownKeys(['replicas', 'selector']));
  assert.is(e.message, 'test.yaml:3:3: spec.replica: unknown field "replica"; did you mean "replicas"?');
  const e2 = inputError(() => doc('zzz: 1\n').rejectUnknownKeys(['name', 'seed']));
  assert.is(e2.detail, 'unknown field "zzz"; expected one of: name, seed');
  doc('name: x\n').rejectUnknownKeys(['name']);
  doc('x: ~\n').get('x').rejectUnknownKeys([]);
});

test('fail and toJS', () => {
  const f = doc('a:\n  b: [1, {c: d}]\n');
  const e = inputError(() => f.get('a').get('b').fail('custom problem'));
  assert.is(e.message, 'test.yaml:2:6: a.b: custom problem');
  assert.equal(f.toJS(), { a: { b: [1, { c: 'd' }] } });
  assert.is(f.get('absent').toJS(), undefined);
});

test('YAML syntax errors and duplicate keys report their line', () => {
  const e = inputError(() => parseYamlDocuments('a: 1\nb: "unterminated\n', 'bad.yaml'));
  assert.is(e.file, 'bad.yaml');
  assert.ok(e.line >= 2, `line ${e.line}`);
  assert.match(e.detail, 'invalid YAML');
  const d = inputError(() => parseYamlDocuments('a: 1\nb: 2\na: 3\n', 'dup.yaml'));
  assert.is(d.line, 3);
  assert.match(d.detail, 'unique');
  const later = inputError(() => parseYamlDocuments('ok: 1\n---\nx: [\n', 'two.yaml'));
  assert.ok(later.line >= 3, `line ${later.line}`);
});

test('aliases resolve, but an alias bomb is refused', () => {
  const f = doc('base: &b {cpu: 1}\nuse: *b\n');
  assert.is(f.get('use').get('cpu').int(), 1);
  const bomb = [
    'a: &a ["x","x","x","x","x","x","x","x","x"]',
    'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
    'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
    'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
    'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
  ].join('\n');
  const e = inputError(() => parseYamlDocuments(bomb, 'bomb.yaml'));
  assert.match(e.detail, 'alias');
});

test('documents nested deeper than 64 levels are refused', () => {
  const nested = (n: number): string => '['.repeat(n) + ']'.repeat(n);
  assert.is(parseYamlDocuments(nested(64), 'ok.yaml').length, 1);
  assert.match(inputError(() => parseYamlDocuments(nested(65), 'deep.yaml')).detail, 'nested too deeply');
  let block = '';
  for (let i = 0; i < 70; i++) block += `${' '.repeat(i)}k:\n`;
  assert.match(inputError(() => parseYamlDocuments(block, 'deep.yaml')).detail, 'nested too deeply');
  // Far beyond what the parser survives: refused by the pre-scan, without crashing the process.
  assert.match(inputError(() => parseYamlDocuments(nested(200_000), 'huge.yaml')).detail, 'nested too deeply');
});

test('readYamlFile reads files and reports unreadable ones', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-yaml-'));
  const path = join(dir, 'x.yaml');
  writeFileSync(path, 'a: 1\n');
  const [f] = readYamlFile(path);
  assert.is(f.file, path);
  assert.is(f.get('a').int(), 1);
  const missing = join(dir, 'missing.yaml');
  const e = inputError(() => readYamlFile(missing));
  assert.is(e.message, `${missing}: cannot read file: no such file or directory`);
  assert.is(inputError(() => readYamlFile(dir)).detail, 'cannot read file: is a directory, not a file');
});

test.run();
