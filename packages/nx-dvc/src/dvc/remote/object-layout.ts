/** Where DVC 3 keeps an object on a remote, below the remote's url: `files/md5/<2>/<30>` (`.dir` included). */
export function remoteObjectKey(md5: string): string {
  return `files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`;
}
