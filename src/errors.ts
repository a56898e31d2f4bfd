/** Errors caused by what the user gave us (files, flags): the CLI reports them and exits with 2. */
export class BadInputError extends Error {
  override name = 'BadInputError';
}
