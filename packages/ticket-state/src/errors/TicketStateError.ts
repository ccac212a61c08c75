/**
 * Base of every typed error the package throws: a stable `code` for programs and metrics, and
 * the offending values in `data` so that a log line says what was wrong without a debugger.
 */
export class TicketStateError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly data: Record<string, unknown>;

  constructor(code: Code, message: string, data: Record<string, unknown> = {}) {
    super(`${code}: ${message}`);
    this.name = new.target.name;
    this.code = code;
    this.data = data;
  }
}
