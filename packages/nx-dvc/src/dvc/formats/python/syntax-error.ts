export class PythonParamsSyntaxError extends Error {
  override readonly name = 'PythonParamsSyntaxError';

  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} (line ${line}, column ${column})`);
  }
}

export function syntaxError(reason: string, at: { line: number; column: number }): PythonParamsSyntaxError {
  return new PythonParamsSyntaxError(reason, at.line, at.column);
}
