/**
 * How a plan shows a stack it creates: a grouped summary that fits on a
 * screen (render/resource-groups.ts), the full list of resources only when
 * asked (`--verbose`, and always in `mlops diff`). An update keeps its
 * property-level diff (plan.ts).
 */
import type { Output } from "../../io/output.js";
import { formatTable } from "../../io/table.js";
import { resourceSummaryLines, type PlannedResource } from "../../render/resource-groups.js";

/** How much of a plan to print. */
export interface PlanPrintOptions {
  /** `--verbose` (and `mlops diff`): every resource of a new stack, one per line. */
  verbose?: boolean;
}

/** Prints a stack the plan creates: its resources grouped, or (verbose) also one per line. */
export function printNewStack(stack: { stackName: string; resources: readonly PlannedResource[] }, out: Output, options: PlanPrintOptions = {}): void {
  const count = stack.resources.length;
  out.info(
    `Stack ${stack.stackName}: create ${count} resource${count === 1 ? "" : "s"}${options.verbose || count === 0 ? ":" : " (--verbose lists each one)"}`,
  );
  for (const line of resourceSummaryLines(stack.resources)) out.info(`  ${line}`);
  if (!options.verbose || count === 0) return;
  const rows = stack.resources.map((r) => [r.logicalId, r.type]);
  for (const line of formatTable(["Logical ID", "Type"], rows).split("\n")) out.info(`  ${line}`);
}
