/** An error the user caused or can fix: printed as one sentence, no stack trace. */
export class UserError extends Error {
  /** Process exit status for this error. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = "UserError";
    this.exitCode = exitCode;
  }
}

/** Exit status of `armbench compare --fail-on-regression` when B is significantly slower. */
export const EXIT_REGRESSION = 4;
