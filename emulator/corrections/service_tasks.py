"""service-tasks: moto gap 3 (a service runs no tasks), for ECS Exec.

On AWS a service with ``runningCount`` N has N RUNNING tasks: ``ListTasks``
(by service) lists them and ``DescribeTasks`` describes them, with each
container's managed agents; a task started while the service had
``enableExecuteCommand`` on has ``enableExecuteCommand`` true and a RUNNING
``ExecuteCommandAgent``. ``ExecuteCommand`` then answers a Session Manager
session for one of its containers. moto 5.2.1's services run no tasks (the
service-rollout correction only sets their counts), and ``ExecuteCommand`` is
not implemented.

The correction lists and describes, for each service, one RUNNING task per
running count (ids fixed per service, deployment and index, so they are
replaced when a deployment replaces them), with the service's task definition
and its containers; ``ExecuteCommand`` on such a task answers a session, or
``InvalidParameterException`` when the task was not started with execute
command on, as ECS says. Tasks moto itself runs are listed and described as
before, except that ``ListTasks`` by ``serviceName`` (which moto ignores) leaves
out those not in the service's group, such as a one-off ``RunTask`` task in the
service's cluster.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

NAME = "service-tasks"
ITEM = "3"
SUMMARY = "a service lists and describes one RUNNING task per running count (containers, ExecuteCommandAgent); ExecuteCommand answers a session"


def _services(backend: Any, cluster: str) -> list[Any]:
    name = cluster.split("/")[-1]
    return [s for key, s in backend.services.items() if key.split(":")[0] == name or s.cluster_arn.split("/")[-1] == name]


def _task_id(service: Any, index: int) -> str:
    deployment = (service.deployments or [{}])[0].get("id", "") if getattr(service, "deployments", None) else ""
    return hashlib.md5(f"{service.arn}|{deployment}|{service.task_definition}|{index}".encode()).hexdigest()


def service_tasks(backend: Any, cluster: str, service_name: str | None = None) -> dict[str, tuple[Any, int]]:
    """The task ARNs (with service and index) the cluster's services run."""
    tasks: dict[str, tuple[Any, int]] = {}
    for service in _services(backend, cluster):
        if service_name and service_name not in (service.name, service.arn):
            continue
        if getattr(service, "status", "ACTIVE") != "ACTIVE":
            continue
        cluster_name = service.cluster_arn.split("/")[-1]
        for index in range(int(service.running_count or 0)):
            arn = f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:task/{cluster_name}/{_task_id(service, index)}"
            tasks[arn] = (service, index)
    return tasks


def _describe(backend: Any, arn: str, service: Any, index: int) -> dict[str, Any]:
    exec_on = bool(getattr(service, "enable_execute_command", False))
    task_id = arn.split("/")[-1]
    containers = []
    try:
        definition = backend.describe_task_definition(service.task_definition)
        names = [c.get("name", "app") for c in definition.container_definitions]
    except Exception:  # a task definition deregistered meanwhile
        names = ["app"]
    for name in names:
        container: dict[str, Any] = {
            "containerArn": f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:container/{task_id}/{hashlib.md5(name.encode()).hexdigest()[:8]}",
            "taskArn": arn,
            "name": name,
            "runtimeId": f"{task_id}-{hashlib.md5(name.encode()).hexdigest()[:10]}",
            "lastStatus": "RUNNING",
            "healthStatus": "UNKNOWN",
        }
        if exec_on:
            container["managedAgents"] = [{"name": "ExecuteCommandAgent", "lastStatus": "RUNNING"}]
        containers.append(container)
    started = datetime.datetime.now(datetime.timezone.utc)
    return {
        "taskArn": arn,
        "clusterArn": service.cluster_arn,
        "taskDefinitionArn": service.task_definition,
        "group": f"service:{service.name}",
        "launchType": "FARGATE",
        "lastStatus": "RUNNING",
        "desiredStatus": "RUNNING",
        "enableExecuteCommand": exec_on,
        "startedBy": f"ecs-svc/{index}",
        "startedAt": started,
        "containers": containers,
    }


def apply() -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.core.responses import ActionResult
    from moto.ecs.responses import EC2ContainerServiceResponse

    original_list = EC2ContainerServiceResponse.list_tasks
    original_describe = EC2ContainerServiceResponse.describe_tasks

    def list_tasks(self: Any) -> Any:
        answer = original_list(self)
        service_name = self._get_param("serviceName")
        if service_name:
            # moto ignores serviceName: a one-off task (RunTask) in the service's cluster would be listed as the service's.
            theirs = list(answer.result["taskArns"])
            cluster = self._get_param("cluster", "default")
            described = self.ecs_backend.describe_tasks(cluster, theirs) if theirs else []
            wanted = {f"service:{service_name.split('/')[-1]}"}
            answer = ActionResult({"taskArns": [t.task_arn for t in described if getattr(t, "group", None) in wanted]})
        if self._get_param("desiredStatus") in ("STOPPED",) or self._get_param("family") or self._get_param("startedBy"):
            return answer
        cluster = self._get_param("cluster", "default")
        ours = list(service_tasks(self.ecs_backend, cluster, self._get_param("serviceName")))
        return ActionResult({"taskArns": list(answer.result["taskArns"]) + ours})

    def describe_tasks(self: Any) -> Any:
        cluster = self._get_param("cluster", "default")
        requested = self._get_param("tasks", [])
        known = service_tasks(self.ecs_backend, cluster)
        by_id = {arn.split("/")[-1]: arn for arn in known}
        ours = [by_id.get(t.split("/")[-1]) for t in requested]
        if not any(ours):
            return original_describe(self)
        described = [_describe(self.ecs_backend, arn, *known[arn]) for arn in ours if arn]
        others = [t for t, arn in zip(requested, ours) if not arn]
        theirs = self.ecs_backend.describe_tasks(cluster, others) if others else []
        return ActionResult({"tasks": described + list(theirs), "failures": []})

    def execute_command(self: Any) -> Any:
        cluster = self._get_param("cluster", "default")
        task = self._get_param("task", "")
        known = service_tasks(self.ecs_backend, cluster)
        arn = {a.split("/")[-1]: a for a in known}.get(task.split("/")[-1])
        if arn is None:
            raise JsonRESTError("InvalidParameterException", "The task provided in the request was not found.")
        service, index = known[arn]
        task_description = _describe(self.ecs_backend, arn, service, index)
        if not task_description["enableExecuteCommand"]:
            raise JsonRESTError(
                "InvalidParameterException",
                "The execute command failed because execute command was not enabled when the task was run or the execute command agent isn't running. Wait and try again or run a new task with execute command enabled and try again.",
            )
        containers = task_description["containers"]
        wanted = self._get_param("container")
        container = next((c for c in containers if c["name"] == wanted), None) if wanted else containers[0]
        if container is None:
            raise JsonRESTError("InvalidParameterException", f"The container {wanted} is not in the task.")
        session_id = f"ecs-execute-command-{hashlib.md5((arn + str(datetime.datetime.now())).encode()).hexdigest()[:17]}"
        region = self.ecs_backend.region_name
        return ActionResult(
            {
                "clusterArn": service.cluster_arn,
                "taskArn": arn,
                "containerName": container["name"],
                "containerArn": container["containerArn"],
                "interactive": True,
                "session": {
                    "sessionId": session_id,
                    "streamUrl": f"wss://ssmmessages.{region}.amazonaws.com/v1/data-channel/{session_id}?role=publish_subscribe&cell-number=AAEAAQ",
                    "tokenValue": hashlib.sha256(session_id.encode()).hexdigest(),
                },
            }
        )

    EC2ContainerServiceResponse.list_tasks = list_tasks  # type: ignore[method-assign]
    EC2ContainerServiceResponse.describe_tasks = describe_tasks  # type: ignore[method-assign]
    EC2ContainerServiceResponse.execute_command = execute_command  # type: ignore[attr-defined]
