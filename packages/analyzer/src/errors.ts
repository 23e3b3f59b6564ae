/**
 * An error the user can cause and fix (no tsconfig, a broken tsconfig, a path
 * that does not exist). Its message is one line naming the file, without a
 * tool prefix; the CLI prints it as `asyncsan: <message>` without a stack
 * trace and exits with code 2.
 */
export class AnalyzerError extends Error {
  override readonly name = 'AnalyzerError';
  /** The file or path the message is about, when there is one. */
  readonly file: string | undefined;

  constructor(message: string, file?: string) {
    super(message);
    this.file = file;
  }
}
