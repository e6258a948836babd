import { createInterface } from 'node:readline';

const ANSWERS = ['yes', 'no', 'y', 'n'];

/**
 * DVC's `prompt.confirm`: `<statement> [y/n] ` until the answer is one of yes, no, y, n. Without a
 * terminal on stdout, or when stdin ends, the answer is no.
 */
export async function confirm(statement: string): Promise<boolean> {
  if (!process.stdout.isTTY) return false;
  for (;;) {
    const answer = (await ask(`${statement} [y/n] `))?.toLowerCase();
    if (answer === undefined) return false;
    if (ANSWERS.includes(answer)) return answer.startsWith('y');
    console.log(`Your response must be one of: ['yes', 'no', 'y', 'n']. Please try again.`);
  }
}

/** One line from stdin, or undefined when it ends; stdin is let go afterwards (Nx runs next). */
function ask(prompt: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin, output: process.stdout });
    let answered = false;
    lines.on('close', () => answered || resolve(undefined));
    lines.question(prompt, (answer) => {
      answered = true;
      lines.close();
      resolve(answer);
    });
  });
}
