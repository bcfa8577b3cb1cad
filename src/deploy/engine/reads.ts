/**
 * What one command run has read, so that it asks AWS each question once: the
 * plan's reads (the certificates, a listener's certificates and rules, the
 * endpoint's stack) answer the apply that follows it. An answer is kept only
 * while nothing can have changed it: whatever this run changes forgets what
 * it affects, a stack operation forgets everything, and so does a wait on
 * something outside the run (a prompt, a certificate's validation), after
 * which every question is asked again. Reads that must see the present (a
 * stack's status after a deployment, an attachment read back) do not go
 * through it.
 */

/** A run's read-once memory, keyed by question (`acm:issued`, `elb:rules:ARN`, ...). */
export class RunReads {
  private readonly answers = new Map<string, Promise<unknown>>();

  /** The answer this run already has for `key`, or `read()`'s, kept; a failed read is not kept, so the next asker reads again. */
  once<T>(key: string, read: () => Promise<T>): Promise<T> {
    const known = this.answers.get(key);
    if (known) return known as Promise<T>;
    const answer = read();
    this.answers.set(key, answer);
    answer.catch(() => {
      if (this.answers.get(key) === answer) this.answers.delete(key);
    });
    return answer;
  }

  /** Forgets the answers whose key starts with `prefix`: this run changed what they describe. */
  forget(prefix: string): void {
    for (const key of [...this.answers.keys()]) if (key.startsWith(prefix)) this.answers.delete(key);
  }

  /** Forgets every answer: after a stack operation or a wait, anything may have changed. */
  forgetAll(): void {
    this.answers.clear();
  }
}

/** `read()` through the run's memory when there is one; without, every read asks AWS. */
export function readOnce<T>(reads: RunReads | undefined, key: string, read: () => Promise<T>): Promise<T> {
  return reads ? reads.once(key, read) : read();
}
