"""one-off-task: ECS RunTask of a Fargate awsvpc task fails inside moto 5.2.1.

moto sums each container's own ``memory`` (None in a Fargate task definition,
which sets memory on the task) and fails; then it fails building the task's
network attachment (a ``NetworkInterface`` in a VPC without DNS host names has
no ``private_dns_name``). Even when a task starts, it runs forever: a one-off
task (mlops weights push / ls) never ends.

The correction lets RunTask record the task (its overrides, so its command and
roles, and its task definition, so its volumes) and plays the container, small
and on purpose: no second AWS.

- ``aws s3 sync s3://BUCKET/PREFIX DEST ...`` (the weights sync task): one log
  line per object it would copy, read from the emulator's S3, then exit 0; a
  missing bucket prints the AWS CLI's fatal error and exits 1. What was copied
  is remembered per EFS file system, for the listing below.
- ``... stat -c '%s %Y %n' ...`` under a mount path (mlops weights ls): one
  line ``SIZE EPOCH PATH`` per file remembered on that volume, exit 0.
- anything else: exit 0, no output.

The lines go to the container's awslogs group and stream
(``PREFIX/CONTAINER/TASK_ID``); a missing log group stops the task before the
container starts, with the reason ECS gives, as on AWS. The task is STOPPED
(``EssentialContainerExited``, the container's exit code) from its first
DescribeTasks on.
"""

from __future__ import annotations

import re
import time
from typing import Any

from ._common import error_message

NAME = "one-off-task"
ITEM = "ECS RunTask (More moto facts)"
SUMMARY = "RunTask of a Fargate awsvpc task works; the task plays its sync/list command into its logs and ends STOPPED with an exit code"

# File system id -> {path relative to the volume: (size, epoch seconds)}.
_VOLUMES: dict[str, dict[str, tuple[int, int]]] = {}

_SYNC = re.compile(r"aws\s+s3\s+sync\s+'?s3://([^/\s']+)/?([^\s']*)'?\s+'?([^\s']+)'?")
_WALK_ROOT = re.compile(r"walk\s+'([^']*)'")


def _command(task: Any, task_definition: Any) -> tuple[str, list[str]]:
    container = task_definition.container_definitions[0]
    name = container.get("name", "")
    command = container.get("command") or []
    for override in (task.overrides or {}).get("containerOverrides", []) or []:
        if override.get("name") == name and override.get("command"):
            command = override["command"]
    return name, list(command)


def _volume_at(task_definition: Any, container: dict[str, Any], path: str) -> tuple[str | None, str]:
    """The EFS file system mounted at the start of ``path``, and the rest of the path."""
    by_name = {
        v.get("name"): (v.get("efsVolumeConfiguration") or {}).get("fileSystemId")
        for v in (task_definition.volumes or [])
    }
    for mount in container.get("mountPoints") or []:
        root = str(mount.get("containerPath", "")).rstrip("/")
        if root and (path == root or path.startswith(root + "/")):
            return by_name.get(mount.get("sourceVolume")), path[len(root):].strip("/")
    return None, ""


def _sync(account_id: str, match: re.Match[str], task_definition: Any, container: dict[str, Any]) -> tuple[list[str], int]:
    from moto.s3.models import s3_backends

    bucket_name, prefix, dest = match.group(1), match.group(2), match.group(3).rstrip("/")
    try:
        bucket = s3_backends[account_id]["global"].get_bucket(bucket_name)
    except Exception as exc:  # moto's MissingBucket
        return [f"fatal error: An error occurred (NoSuchBucket) when calling the ListObjectsV2 operation: {error_message(exc)}"], 1
    file_system, below = _volume_at(task_definition, container, dest)
    files = _VOLUMES.setdefault(file_system or "", {})
    lines = []
    for key_name, key in sorted(bucket.keys.items()):
        if not key_name.startswith(prefix) or key_name.endswith("/"):
            continue
        relative = key_name[len(prefix):].lstrip("/")
        target = "/".join(p for p in (below, relative) if p)
        files[target] = (int(key.size), int(key.last_modified.timestamp()))
        lines.append(f"download: s3://{bucket_name}/{key_name} to {dest}/{relative}")
    return lines, 0


def _listing(script: str, task_definition: Any, container: dict[str, Any]) -> tuple[list[str], int]:
    match = _WALK_ROOT.search(script)
    root = match.group(1).rstrip("/") if match else ""
    file_system, below = _volume_at(task_definition, container, root)
    mount_root = root[: len(root) - len(below)].rstrip("/") if below else root
    lines = []
    for path, (size, mtime) in sorted(_VOLUMES.get(file_system or "", {}).items()):
        if below and not (path == below or path.startswith(below + "/")):
            continue
        lines.append(f"{size} {mtime} {mount_root}/{path}")
    return lines, 0


def _play(account_id: str, region_name: str, task: Any, task_definition: Any) -> dict[str, Any]:
    """Runs the task's container in the emulator's terms; returns how the task ends."""
    from moto.logs.models import logs_backends

    name, command = _command(task, task_definition)
    container = task_definition.container_definitions[0]
    script = " ".join(command)
    sync = _SYNC.search(script)
    if sync:
        lines, exit_code = _sync(account_id, sync, task_definition, container)
    elif "stat -c" in script:
        lines, exit_code = _listing(script, task_definition, container)
    else:
        lines, exit_code = [], 0

    options = ((container.get("logConfiguration") or {}).get("options")) or {}
    group = options.get("awslogs-group")
    if group:
        stream = f"{options.get('awslogs-stream-prefix', 'ecs')}/{name}/{task.id}"
        logs = logs_backends[account_id][region_name]
        try:
            logs.create_log_stream(group, stream)
        except Exception as exc:  # ResourceNotFoundException: the group does not exist
            return {
                "reason": f"ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: {error_message(exc)}",
                "exit_code": None,
            }
        now = int(time.time() * 1000)
        if lines:
            logs.put_log_events(group, stream, [{"timestamp": now + i, "message": line} for i, line in enumerate(lines)])
    return {"reason": "Essential container in task exited", "exit_code": exit_code}


def _stop(task: Any, outcome: dict[str, Any]) -> None:
    from datetime import datetime, timezone

    task.status = "STOPPED"
    task.desired_status = "STOPPED"
    task.stopped_reason = outcome["reason"]
    task.stop_code = "EssentialContainerExited" if outcome["exit_code"] is not None else "TaskFailedToStart"
    task.stopped_at = datetime.now(timezone.utc)
    for container in task.containers:
        container.last_status = "STOPPED"
        if outcome["exit_code"] is not None:
            container.exit_code = outcome["exit_code"]
            container.exitCode = outcome["exit_code"]


def apply() -> None:
    from moto.ec2.models.elastic_network_interfaces import NetworkInterface
    from moto.ecs.models import EC2ContainerServiceBackend

    def private_dns_name(self: Any) -> str:
        return "ip-" + str(self.private_ip_address).replace(".", "-") + ".ec2.internal"

    if "private_dns_name" not in NetworkInterface.__dict__:
        original_getattr = getattr(NetworkInterface, "__getattr__", None)

        def getattr_(self: Any, attr: str) -> Any:
            if attr == "private_dns_name":
                return private_dns_name(self)
            if original_getattr:
                return original_getattr(self, attr)
            raise AttributeError(attr)

        NetworkInterface.__getattr__ = getattr_  # type: ignore[attr-defined]

    original_requirements = EC2ContainerServiceBackend._calculate_task_resource_requirements

    def requirements(task_definition: Any) -> dict[str, Any]:
        if "FARGATE" in (getattr(task_definition, "requires_compatibilities", None) or []):
            # Fargate sizes the task, not its containers.
            return {"CPU": int(task_definition.cpu or 0), "MEMORY": int(task_definition.memory or 0), "PORTS": [], "PORTS_UDP": []}
        return original_requirements(task_definition)

    EC2ContainerServiceBackend._calculate_task_resource_requirements = staticmethod(requirements)  # type: ignore[method-assign]

    original_run = EC2ContainerServiceBackend.run_task
    original_describe = EC2ContainerServiceBackend.describe_tasks

    def run_task(self: Any, *args: Any, **kwargs: Any) -> Any:
        tasks = original_run(self, *args, **kwargs)
        for task in tasks:
            task_definition = self.describe_task_definition(task.task_definition_arn)
            # Only the path moto cannot take (Fargate, awsvpc) is played; other tasks keep moto's behaviour (they run on).
            if task.launch_type != "FARGATE" or task_definition.network_mode != "awsvpc":
                continue
            task._emulator_outcome = _play(self.account_id, self.region_name, task, task_definition)
            task.started_at = __import__("datetime").datetime.now(__import__("datetime").timezone.utc)
        return tasks

    def describe_tasks(self: Any, cluster_str: str, tasks: list[str]) -> Any:
        found = original_describe(self, cluster_str, tasks)
        for task in found:
            outcome = getattr(task, "_emulator_outcome", None)
            if outcome is not None:
                _stop(task, outcome)
        return found

    EC2ContainerServiceBackend.run_task = run_task  # type: ignore[method-assign]
    EC2ContainerServiceBackend.describe_tasks = describe_tasks  # type: ignore[method-assign]
