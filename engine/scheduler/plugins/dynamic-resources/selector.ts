/**
 * Device selectors without CEL: the subset of the CEL expressions of DeviceClass and DeviceRequest selectors
 * (resource.k8s.io/v1 CELDeviceSelector; k8s.io/dynamic-resource-allocation/cel compile.go) that kubesim parses
 * and evaluates itself. The environment is upstream's: `device.driver`, `device.attributes["<domain>"].<name>`
 * (a map per domain of typed values) and `device.capacity["<domain>"].<name>` (quantities, compared through the
 * Kubernetes quantity library's compareTo / isGreaterThan / isLessThan).
 *
 * Supported (SUPPORTED below): literals (strings, integers, true/false), `quantity("40Gi")`, the comparisons
 * == != < <= > >=, `"<name>" in device.attributes["<domain>"]`, `!`, `&&`, `||` and parentheses. Anything else is
 * refused when the scenario is loaded (compileSelector throws SelectorError naming the unsupported part).
 *
 * Evaluation follows CEL's error semantics: a missing attribute or a comparison of mismatched types is an error
 * value; `false && error` is false and `true || error` is true (CEL's commutative logical operators); an error at
 * the top is "no match". (Upstream's allocator turns a top-level CEL runtime error into a failed Filter with an
 * Error status; kubesim treats it as a device that does not match, docs/model/dynamic-resources.md.)
 */
import type { Device } from '../../../api/objects.js';
import { QuantityError, quantityValue } from '../../../api/quantity.js';

export const SUPPORTED =
  'device.driver, device.attributes["<domain>"].<name>, device.capacity["<domain>"].<name>.compareTo(quantity("<q>")) <op> <int> ' +
  '(or .isGreaterThan / .isLessThan(quantity("<q>"))), "<name>" in device.attributes["<domain>"], string/integer/boolean ' +
  'literals, == != < <= > >=, !, &&, || and parentheses';

/** An expression outside the subset; `part` is the offending text. */
export class SelectorError extends Error {
  constructor(
    readonly part: string,
    readonly why: string,
  ) {
    super(`unsupported CEL ${why}: ${JSON.stringify(part)} (kubesim evaluates a CEL subset: ${SUPPORTED})`);
  }
}

/** A compiled selector: true when the device matches (CEL result true, no error). */
export type CompiledSelector = (device: Device, driver: string) => boolean;

// ---- values

const ERR = Symbol('cel-error');
type Value =
  | { readonly t: 'int'; readonly v: number }
  | { readonly t: 'string'; readonly v: string }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'version'; readonly v: string }
  | { readonly t: 'quantity'; readonly v: number }
  | { readonly t: 'map'; readonly domain: string }
  | typeof ERR;

type Eval = (d: Device, driver: string) => Value;
/** Static kinds, for refusing what CEL would refuse at compile time (quantities compared with operators). */
type Static = 'dyn' | 'int' | 'string' | 'bool' | 'quantity' | 'map';

interface Node {
  readonly ev: Eval;
  readonly st: Static;
}

// ---- lexer

interface Token {
  readonly k: 'id' | 'str' | 'int' | 'op' | 'end';
  readonly s: string;
  readonly at: number;
}

const OPS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '[', ']', '.', ','];

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') throw new SelectorError(src.slice(i, j + 2), 'escape sequence in a string literal');
        s += src[j++];
      }
      if (j >= src.length) throw new SelectorError(src.slice(i), 'unterminated string literal');
      out.push({ k: 'str', s, at: i });
      i = j + 1;
      continue;
    }
    const num = /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?[uU]?/.exec(src.slice(i));
    if (num !== null && (c !== '-' || out.length === 0 || out[out.length - 1].k === 'op')) {
      if (!/^-?[0-9]+$/.test(num[0])) throw new SelectorError(num[0], 'number literal (only integers are supported)');
      out.push({ k: 'int', s: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id !== null) {
      out.push({ k: 'id', s: id[0], at: i });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op === undefined) throw new SelectorError(src.slice(i, i + 10), 'token');
    out.push({ k: 'op', s: op, at: i });
    i += op.length;
  }
  out.push({ k: 'end', s: '', at: src.length });
  return out;
}

// ---- parser (recursive descent, CEL precedence: || < && < relations < unary)

class Parser {
  private p = 0;
  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {}

  parse(): Node {
    const n = this.or();
    const t = this.peek();
    if (t.k !== 'end') throw this.unsupported(t, 'syntax');
    return n;
  }

  private peek(): Token {
    return this.toks[this.p];
  }

  private next(): Token {
    return this.toks[this.p++];
  }

  private eat(s: string): boolean {
    const t = this.peek();
    if (t.k === 'op' && t.s === s) {
      this.p++;
      return true;
    }
    return false;
  }

  private expect(s: string): void {
    if (!this.eat(s)) throw this.unsupported(this.peek(), `syntax (expected "${s}")`);
  }

  private unsupported(t: Token, why: string): SelectorError {
    return new SelectorError(this.src.slice(t.at, t.at + 30) || '(end of expression)', why);
  }

  private or(): Node {
    let left = this.and();
    while (this.eat('||')) {
      const right = this.and();
      left = logical(left, right, true);
    }
    return left;
  }

  private and(): Node {
    let left = this.unary();
    while (this.eat('&&')) {
      const right = this.unary();
      left = logical(left, right, false);
    }
    return left;
  }

  private unary(): Node {
    if (this.eat('!')) {
      const inner = this.unary();
      requireBool(inner, '!');
      return {
        st: 'bool',
        ev: (d, drv) => {
          const v = inner.ev(d, drv);
          return v !== ERR && v.t === 'bool' ? { t: 'bool', v: !v.v } : ERR;
        },
      };
    }
    return this.relation();
  }

  private relation(): Node {
    const start = this.peek();
    const left = this.primary();
    const t = this.peek();
    if (t.k === 'id' && t.s === 'in') {
      this.next();
      const right = this.primary();
      if (left.st !== 'string' || right.st !== 'map')
        throw new SelectorError(this.src.slice(start.at, this.peek().at).trim(), '"in" (only "<name>" in device.attributes["<domain>"])');
      return { st: 'bool', ev: (d, drv) => hasAttribute(left.ev(d, drv), right.ev(d, drv), d) };
    }
    if (t.k !== 'op' || !['==', '!=', '<', '<=', '>', '>='].includes(t.s)) return left;
    this.next();
    const right = this.primary();
    for (const side of [left, right]) {
      if (side.st === 'quantity')
        throw new SelectorError(
          this.src.slice(start.at, this.peek().at).trim(),
          'comparison of quantities with an operator (use .compareTo(quantity("…")))',
        );
      if (side.st === 'map') throw new SelectorError(this.src.slice(start.at, this.peek().at).trim(), 'comparison of an attribute map');
    }
    return { st: 'bool', ev: (d, drv) => compare(t.s, left.ev(d, drv), right.ev(d, drv)) };
  }

  private primary(): Node {
    const t = this.next();
    if (t.k === 'op' && t.s === '(') {
      const n = this.or();
      this.expect(')');
      return n;
    }
    if (t.k === 'str') {
      const v: Value = { t: 'string', v: t.s };
      return { st: 'string', ev: () => v };
    }
    if (t.k === 'int') {
      const n = Number(t.s.replace(/[uU]$/, ''));
      if (!Number.isSafeInteger(n)) throw this.unsupported(t, 'integer literal (too large)');
      const v: Value = { t: 'int', v: n };
      return { st: 'int', ev: () => v };
    }
    if (t.k === 'id' && (t.s === 'true' || t.s === 'false')) {
      const v: Value = { t: 'bool', v: t.s === 'true' };
      return { st: 'bool', ev: () => v };
    }
    if (t.k === 'id' && t.s === 'quantity') return this.quantityCall();
    if (t.k === 'id' && t.s === 'device') return this.deviceRef(t);
    throw this.unsupported(t, t.k === 'id' ? 'identifier or function' : 'syntax');
  }

  private quantityCall(): Node {
    this.expect('(');
    const arg = this.next();
    if (arg.k !== 'str') throw this.unsupported(arg, 'quantity() argument (expected a string literal)');
    let q: number;
    try {
      q = quantityValue(arg.s);
    } catch (err) {
      if (err instanceof QuantityError) throw new SelectorError(arg.s, `quantity ${JSON.stringify(arg.s)} (${err.message})`);
      throw err;
    }
    this.expect(')');
    const v: Value = { t: 'quantity', v: q };
    return { st: 'quantity', ev: () => v };
  }

  /** device.driver | device.attributes["d"](.name | ["name"])? | device.capacity["d"](.name | ["name"]) + methods. */
  private deviceRef(start: Token): Node {
    this.expect('.');
    const field = this.next();
    if (field.k === 'id' && field.s === 'driver') {
      return { st: 'string', ev: (_d, drv) => ({ t: 'string', v: drv }) };
    }
    if (field.k !== 'id' || (field.s !== 'attributes' && field.s !== 'capacity'))
      throw this.unsupported(field, 'device field (expected driver, attributes or capacity)');
    this.expect('[');
    const domTok = this.next();
    if (domTok.k !== 'str') throw this.unsupported(domTok, 'map key (expected a quoted domain such as "gpu.example.com")');
    const domain = domTok.s;
    this.expect(']');
    let name: string | null = null;
    if (this.eat('.')) {
      const n = this.next();
      if (n.k !== 'id') throw this.unsupported(n, 'attribute name');
      if (['compareTo', 'isGreaterThan', 'isLessThan'].includes(n.s))
        throw this.unsupported(n, 'method on a map (name the attribute first)');
      name = n.s;
    } else if (this.eat('[')) {
      const n = this.next();
      if (n.k !== 'str') throw this.unsupported(n, 'map key (expected a quoted name)');
      name = n.s;
      this.expect(']');
    }
    if (field.s === 'attributes') {
      if (name === null) return { st: 'map', ev: () => ({ t: 'map', domain }) };
      const key = `${domain}/${name}`;
      const node: Node = {
        st: 'dyn',
        ev: (d) => {
          const a = d.attributes[key];
          if (a === undefined) return ERR;
          return a.type === 'int'
            ? { t: 'int', v: a.value as number }
            : a.type === 'bool'
              ? { t: 'bool', v: a.value as boolean }
              : { t: a.type, v: a.value as string };
        },
      };
      if (this.peek().k === 'op' && this.peek().s === '.') throw this.unsupported(this.peek(), 'method call on an attribute');
      return node;
    }
    if (name === null) throw new SelectorError(this.src.slice(start.at, this.peek().at), 'capacity map without a name');
    const key = `${domain}/${name}`;
    const cap: Node = {
      st: 'quantity',
      ev: (d) => {
        const v = d.capacity[key];
        return v === undefined ? ERR : { t: 'quantity', v };
      },
    };
    if (!this.eat('.')) return cap;
    const m = this.next();
    if (m.k !== 'id' || !['compareTo', 'isGreaterThan', 'isLessThan'].includes(m.s))
      throw this.unsupported(m, 'method on a quantity (expected compareTo, isGreaterThan or isLessThan)');
    this.expect('(');
    const argTok = this.peek();
    const arg = this.primary();
    if (arg.st !== 'quantity') throw this.unsupported(argTok, `${m.s}() argument (expected quantity("…"))`);
    this.expect(')');
    const method = m.s;
    return {
      st: method === 'compareTo' ? 'int' : 'bool',
      ev: (d, drv) => {
        const a = cap.ev(d, drv);
        const b = arg.ev(d, drv);
        if (a === ERR || b === ERR || a.t !== 'quantity' || b.t !== 'quantity') return ERR;
        const c = Math.sign(a.v - b.v);
        return method === 'compareTo' ? { t: 'int', v: c } : { t: 'bool', v: method === 'isGreaterThan' ? c > 0 : c < 0 };
      },
    };
  }
}

function requireBool(n: Node, op: string): void {
  if (n.st !== 'bool' && n.st !== 'dyn') throw new SelectorError(op, `operand of ${op} that is not a boolean`);
}

function logical(a: Node, b: Node, isOr: boolean): Node {
  requireBool(a, isOr ? '||' : '&&');
  requireBool(b, isOr ? '||' : '&&');
  return {
    st: 'bool',
    ev: (d, drv) => {
      const x = a.ev(d, drv);
      const y = b.ev(d, drv);
      const xb = x !== ERR && x.t === 'bool' ? x.v : null;
      const yb = y !== ERR && y.t === 'bool' ? y.v : null;
      // CEL's commutative && and ||: a decisive operand wins over an error in the other.
      if (isOr) {
        if (xb === true || yb === true) return { t: 'bool', v: true };
      } else if (xb === false || yb === false) return { t: 'bool', v: false };
      return xb === null || yb === null ? ERR : { t: 'bool', v: isOr ? xb || yb : xb && yb };
    },
  };
}

function hasAttribute(name: Value, map: Value, d: Device): Value {
  if (name === ERR || map === ERR || name.t !== 'string' || map.t !== 'map') return ERR;
  return { t: 'bool', v: d.attributes[`${map.domain}/${name.v}`] !== undefined };
}

function compare(op: string, a: Value, b: Value): Value {
  if (a === ERR || b === ERR || a.t === 'map' || b.t === 'map') return ERR;
  // CEL has no implicit conversions: values of different types are a "no such overload" error.
  if (a.t !== b.t) return ERR;
  if (op === '==' || op === '!=') return { t: 'bool', v: (a.v === b.v) === (op === '==') };
  // Ordering: integers and strings (CEL); booleans order false < true; versions are not modeled (error).
  if (a.t === 'version' || a.t === 'quantity') return ERR;
  const x = a.v as number | string | boolean;
  const y = b.v as number | string | boolean;
  const r = x < y ? -1 : x > y ? 1 : 0;
  const v = op === '<' ? r < 0 : op === '<=' ? r <= 0 : op === '>' ? r > 0 : r >= 0;
  return { t: 'bool', v };
}

/** Compiles a selector of the subset; throws SelectorError for anything outside it. */
export function compileSelector(expression: string): CompiledSelector {
  const root = new Parser(expression, lex(expression)).parse();
  if (root.st !== 'bool' && root.st !== 'dyn') throw new SelectorError(expression, 'expression that is not a boolean');
  return (d, driver) => {
    const v = root.ev(d, driver);
    return v !== ERR && v.t === 'bool' && v.v;
  };
}
