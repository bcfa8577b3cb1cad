/**
 * The "patch security groups" step: an added endpoint's tasks must reach the
 * base's EFS security group on NFS (2049). The tutorial adds this rule by
 * hand; here it is made, verified, and removed before the endpoint is deleted
 * so that no rule blocks either stack's deletion.
 */
import type { Ec2Api, IpPermission } from "../../aws/interfaces.js";
import { AwsError } from "../../errors.js";
import { readBack, READ_BACK_MS, type ReadBackOptions } from "../engine/poll.js";

const nfsPort = 2049;

/** The rule that lets a task security group mount the EFS security group. */
export interface NfsRule {
  efsSecurityGroupId: string;
  taskSecurityGroupId: string;
  /** Shown in the console next to the rule, to say who made it. */
  description: string;
}

function permission(rule: NfsRule): IpPermission {
  return {
    IpProtocol: "tcp",
    FromPort: nfsPort,
    ToPort: nfsPort,
    UserIdGroupPairs: [{ GroupId: rule.taskSecurityGroupId, Description: rule.description }],
  };
}

/** True when the EFS security group admits the task security group on 2049. */
export async function nfsRuleExists(ec2: Ec2Api, rule: NfsRule): Promise<boolean> {
  const result = await ec2.describeSecurityGroups({ GroupIds: [rule.efsSecurityGroupId] });
  const group = result.SecurityGroups?.[0];
  if (!group) throw new AwsError(`Security group ${rule.efsSecurityGroupId} not found.`, { code: "InvalidGroup.NotFound" });
  return (group.IpPermissions ?? []).some(
    (p) =>
      (p.IpProtocol === "tcp" || p.IpProtocol === "6") &&
      (p.FromPort ?? 0) <= nfsPort &&
      (p.ToPort ?? 0) >= nfsPort &&
      (p.UserIdGroupPairs ?? []).some((pair) => pair.GroupId === rule.taskSecurityGroupId),
  );
}

/** Makes the NFS rule exist and reads it back; returns whether it had to be added. A rule already there is not an error. */
export async function ensureNfsRule(ec2: Ec2Api, rule: NfsRule, wait: ReadBackOptions): Promise<"added" | "present"> {
  if (await nfsRuleExists(ec2, rule)) return "present";
  try {
    await ec2.authorizeSecurityGroupIngress({ GroupId: rule.efsSecurityGroupId, IpPermissions: [permission(rule)] });
  } catch (error) {
    // Another run added it between our check and our call: the goal is reached.
    if (!(error instanceof AwsError && error.code === "InvalidPermission.Duplicate")) throw error;
    return "present";
  }
  // EC2 is eventually consistent: a rule just authorized may be missing from the next reads.
  if (!(await readBack(() => nfsRuleExists(ec2, rule), wait))) {
    const seconds = Math.round((wait.timeoutMs ?? READ_BACK_MS) / 1000);
    throw new AwsError(`The NFS rule from ${rule.taskSecurityGroupId} to ${rule.efsSecurityGroupId} was accepted but is still not visible after ${seconds}s.`, {
      hint: "Run the same command again; if it persists, check the security group in the EC2 console.",
    });
  }
  return "added";
}

/** Removes the NFS rule; a rule or group already gone is not an error. */
export async function removeNfsRule(ec2: Ec2Api, rule: NfsRule): Promise<"removed" | "absent"> {
  try {
    if (!(await nfsRuleExists(ec2, rule))) return "absent";
    await ec2.revokeSecurityGroupIngress({ GroupId: rule.efsSecurityGroupId, IpPermissions: [permission(rule)] });
    return "removed";
  } catch (error) {
    if (error instanceof AwsError && (error.code === "InvalidPermission.NotFound" || error.code === "InvalidGroup.NotFound")) return "absent";
    throw error;
  }
}
