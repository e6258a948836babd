/** Reports why a dvc.yaml could not be turned into stages, laid out as DVC prints it; always fails. */
export default async function invalidPipelineExecutor(options: { message: string; errorName?: string }): Promise<{ success: boolean }> {
  console.error(dvcErrorText(options.message, options.errorName));
  return { success: false };
}

/** DVC prints schema errors as a headline with a full stop, a blank line, then the details. */
export function dvcErrorText(message: string, errorName?: string): string {
  if (errorName !== 'YAMLValidationError') return `ERROR: ${message}`;
  const [headline, ...details] = message.split('\n');
  return [`${headline}.`, '', ...details.map((line) => line.replace(/^  /, ''))].join('\n');
}
