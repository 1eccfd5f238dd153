/**
 * The runnable examples of the documentation: fenced ```console blocks whose `$ kubesim …` (or
 * `$ npx kubesim …`) lines are commands and the lines after them what the command prints. The matching rules
 * are documented in docs/README.md ("Runnable examples"); test/docs.test.ts runs every example.
 */

export interface Example {
  file: string;
  /** 1-based line of the `$` line in the file. */
  line: number;
  /** The arguments after `kubesim`. */
  args: string[];
  expected: string[];
}

const COMMAND = /^\$ (?:npx )?kubesim\s+(.*)$/;

/** Every command of every ```console block of a Markdown text. */
export function examplesOf(file: string, text: string): Example[] {
  const lines = text.split('\n');
  const out: Example[] = [];
  let inConsole = false;
  let inOther = false;
  let current: Example | null = null;
  lines.forEach((raw, i) => {
    const fence = /^\s*```(\S*)/.exec(raw);
    if (fence !== null) {
      if (inConsole || inOther) {
        inConsole = inOther = false;
        current = null;
      } else if (fence[1] === 'console') inConsole = true;
      else inOther = true;
      return;
    }
    if (!inConsole) return;
    const cmd = COMMAND.exec(raw);
    if (cmd !== null) {
      current = { file, line: i + 1, args: cmd[1].trim().split(/\s+/), expected: [] };
      out.push(current);
    } else if (current !== null) current.expected.push(raw);
  });
  for (const e of out) while (e.expected.length > 0 && e.expected[e.expected.length - 1].trim() === '') e.expected.pop();
  return out;
}

function lineMatches(expected: string, actual: string): boolean {
  if (expected.endsWith('...') && expected.trim() !== '...') return actual.startsWith(expected.slice(0, -3));
  return expected.trimEnd() === actual.trimEnd();
}

/**
 * Whether the printed lines match the documented ones: `...` alone stands for any number of lines; a line
 * ending in `...` matches a line starting with the text before it; trailing blanks and empty last lines are ignored.
 */
export function outputMatches(expected: readonly string[], printed: string): boolean {
  const actual = printed.split('\n');
  while (actual.length > 0 && actual[actual.length - 1].trim() === '') actual.pop();
  const failed = new Set<string>();
  const match = (i: number, j: number): boolean => {
    if (i === expected.length) return j === actual.length;
    const key = `${i},${j}`;
    if (failed.has(key)) return false;
    const ok =
      expected[i].trim() === '...'
        ? match(i + 1, j) || (j < actual.length && match(i, j + 1))
        : j < actual.length && lineMatches(expected[i], actual[j]) && match(i + 1, j + 1);
    if (!ok) failed.add(key);
    return ok;
  };
  return match(0, 0);
}

/** A documented JSON output, compared as a value (the docs may fold it), or undefined when it is not JSON. */
export function jsonOf(lines: readonly string[]): unknown {
  const text = lines.join('\n').trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
