/**
 * The exit-code table (documented in the README) and the error classes that carry their code, so a
 * shell (CLI, stack, action) maps any error to its exit code without knowing the classes.
 */
export const EXIT = {
  /** Every SLO of every scenario was met. */
  ok: 0,
  /** At least one SLO failed. */
  sloFailed: 1,
  /** Bad input or usage, found before anything started. */
  badInput: 2,
  /** The harness (or the stack, or a target that never answered) could not complete a run. */
  harness: 3,
  /** Interrupted by SIGINT/SIGTERM; what was measured so far is written. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error that knows the exit code it stands for (and, optionally, the part of the tool it comes from, for messages). */
export class CodedError extends Error {
  /** e.g. `stack`: printed before the message. */
  readonly area: string | undefined = undefined;

  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

/** Errors caused by what the user gave us (files, flags): exit 2. */
export class BadInputError extends CodedError {
  override name = 'BadInputError';
  constructor(message: string) {
    super(message, EXIT.badInput);
  }
}

/** The harness or its environment failed (a stack that cannot run, a target that never answers): exit 3. */
export class HarnessError extends CodedError {
  override name = 'HarnessError';
  constructor(message: string) {
    super(message, EXIT.harness);
  }
}

/** The exit code an error stands for: its own, or 3 (harness failure) for anything unknown. */
export function exitCodeOf(err: unknown): ExitCode {
  return err instanceof CodedError ? err.exitCode : EXIT.harness;
}
