import { StringDecoder } from 'node:string_decoder';
import type { ReproduceLog } from '../../dvc/stage/reproduce';
import type { CommandOutput } from '../../dvc/stage/runner';

type Stream = 'stdout' | 'stderr';

/**
 * One stage task's output in a batch that runs several stages at once: written through to this
 * process's stdout and stderr as it comes (Nx streams the batch process's output live), a whole
 * line at a time so that two stages never mix inside a line, and kept whole as the task's own
 * terminal output (Nx's per-task view, its cache).
 */
export class TaskOutput implements ReproduceLog, CommandOutput {
  private readonly text: string[] = [];
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private readonly partialLine = { stdout: '', stderr: '' };

  info(line: string): void {
    this.write('stdout', `${line}\n`);
  }

  warn(line: string): void {
    this.write('stderr', `${line}\n`);
  }

  stdout(chunk: Buffer): void {
    this.write('stdout', this.decoders.stdout.write(chunk));
  }

  stderr(chunk: Buffer): void {
    this.write('stderr', this.decoders.stderr.write(chunk));
  }

  /** Writes out what is left of an unfinished line and returns everything the task printed. */
  end(): string {
    for (const stream of ['stdout', 'stderr'] as const) {
      this.write(stream, this.decoders[stream].end());
      if (this.partialLine[stream]) process[stream].write(this.partialLine[stream]);
      this.partialLine[stream] = '';
    }
    return this.text.join('');
  }

  private write(stream: Stream, text: string): void {
    if (!text) return;
    this.text.push(text);
    const pending = this.partialLine[stream] + text;
    // a carriage return ends a line too: progress bars redraw with it
    const lineEnd = Math.max(pending.lastIndexOf('\n'), pending.lastIndexOf('\r')) + 1;
    if (lineEnd > 0) process[stream].write(pending.slice(0, lineEnd));
    this.partialLine[stream] = pending.slice(lineEnd);
  }
}
