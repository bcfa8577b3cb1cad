/**
 * The commit the working directory is at: `update` defaults its tag to the
 * image the pipeline builds from HEAD.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Full SHA of HEAD in `cwd`, or undefined when it is not a git checkout. */
export async function headCommit(cwd: string): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", ["rev-parse", "HEAD"], { cwd });
    const sha = stdout.trim();
    return /^[0-9a-f]{40}$/.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}
