/** Reports why a dvc.yaml could not be turned into stages; always fails. */
export default async function invalidPipelineExecutor(options: { message: string }): Promise<{ success: boolean }> {
  console.error(`nx-dvc: ${options.message}`);
  return { success: false };
}
