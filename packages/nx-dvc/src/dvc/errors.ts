/**
 * Every error a user can cause by what they wrote derives from DvcError: the message is
 * complete (file, stage, key, what to do) and is shown without a stack trace.
 * The class names follow DVC's exception classes, so messages can be compared with DVC's.
 */
export class DvcError extends Error {
  override name = 'DvcError';
  constructor(message: string, readonly file?: string) {
    super(message);
  }
}

/** Templating failed: `failed to parse 'stages.x.cmd' in 'dvc.yaml': ...`. */
export class ResolveError extends DvcError {
  override name = 'ResolveError';
}

/** A file DVC reads could not be parsed (YAML syntax, encoding, missing file). */
export class ParseError extends DvcError {
  override name = 'ParseError';
}

/** The dvc.yaml / dvc.lock / .dvc structure does not match DVC's schema. */
export class YAMLValidationError extends DvcError {
  override name = 'YAMLValidationError';
  constructor(message: string, readonly details: string[], file?: string) {
    super(details.length ? `${message}\n${details.map((d) => `  ${d}`).join('\n')}` : message, file);
  }
}

/** A stage definition DVC loads but refuses (for example a `.dvc` file as an output). */
export class StageLoadError extends DvcError {
  override name = 'StageLoadError';
}

/** A path that leaves the workspace. */
export class PathOutsideWorkspaceError extends DvcError {
  override name = 'PathOutsideWorkspaceError';
}

/** A params key a stage lists is not in its params file: `Parameters 'a, b' are missing from 'params.yaml'.` */
export class MissingParamsError extends DvcError {
  override name = 'MissingParamsError';
}

export class DependencyDoesNotExistError extends DvcError {
  override name = 'DependencyDoesNotExistError';
}

export class OutputDoesNotExistError extends DvcError {
  override name = 'OutputDoesNotExistError';
}

/** DVC's text to the byte, its leading and trailing spaces included. */
export class OutputAlreadyTrackedError extends DvcError {
  override name = 'OutputAlreadyTrackedError';
  constructor(path: string, file?: string) {
    super(
      ` output '${path}' is already tracked by SCM (e.g. Git).
    You can remove it from Git, then add to DVC.
        To stop tracking from Git:
            git rm -r --cached '${path}'
            git commit -m "stop tracking ${path}" `,
      file,
    );
  }
}

/** The stage graph is invalid; `files` are every dvc.yaml / .dvc file the problem involves. */
export class GraphError extends DvcError {
  override name = 'GraphError';
  constructor(message: string, readonly files: string[]) {
    super(message, files[0]);
  }
}

export class CyclicGraphError extends GraphError {
  override name = 'CyclicGraphError';
}

export class OutputDuplicationError extends GraphError {
  override name = 'OutputDuplicationError';
}

export class OverlappingOutputPathsError extends GraphError {
  override name = 'OverlappingOutputPathsError';
}

export class StagePathAsOutputError extends GraphError {
  override name = 'StagePathAsOutputError';
}

export function isDvcError(error: unknown): error is DvcError {
  return error instanceof DvcError;
}
