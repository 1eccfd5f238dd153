/**
 * The one error type for bad user input (scenario files, manifests, kubectl commands, CLI arguments).
 * The CLI prints its message without a stack trace, so the message alone must tell the user where the
 * problem is and what was expected: `file:line:column: path: detail`.
 */
export class InputError extends Error {
  override name = 'InputError';

  /**
   * @param file   file the input came from; '' when it did not come from a file (a CLI flag, say)
   * @param line   1-based; 0 when unknown
   * @param column 1-based; 0 when unknown
   * @param path   field path such as `workloads[2].spec.replicas`; '' for the input as a whole
   * @param detail what was expected and what was found
   */
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly path: string,
    readonly detail: string,
  ) {
    super(formatInputError(file, line, column, path, detail));
  }
}

/** `file:line:column: path: detail`, dropping unknown parts (a column needs a line, a line needs a file). */
function formatInputError(file: string, line: number, column: number, path: string, detail: string): string {
  let where = file;
  if (file !== '' && line > 0) {
    where += `:${line}`;
    if (column > 0) where += `:${column}`;
  }
  return [where, path, detail].filter((p) => p !== '').join(': ');
}
