"""gpu-tasks: moto 5.2.1 places no task on ECS Managed Instances and assigns no GPU.

On AWS a task that a service runs on a Managed Instances capacity provider is
described (DescribeTasks) with ``launchType`` ``MANAGED_INSTANCES``, the
``capacityProviderName`` it was placed by and the ``containerInstanceArn`` of
its instance; a container with a ``GPU`` resource requirement lists the GPUs
the agent pinned to it in ``gpuIds``, as many as it asked for ("Specifying
GPUs in an Amazon ECS task definition", Amazon ECS Developer Guide; the ECS
API's Task and Container). The service-tasks correction describes every
service task as a Fargate task with no GPU.

The correction describes the tasks of a service whose capacity provider
strategy names a capacity provider that way: the strategy's first provider,
one container instance per task, and ``gpuIds`` ``GPU-<n>`` for each GPU the
container definition asks for (a ``NeuronDevice`` requirement gets none: the
API reports no Neuron device ids).
"""

from __future__ import annotations

import hashlib
from typing import Any

NAME = "gpu-tasks"
ITEM = "tasks on ECS Managed Instances with their GPUs"
SUMMARY = "tasks of a service on a capacity provider are MANAGED_INSTANCES tasks with their provider, instance and the GPU ids their containers asked for"
REQUIRES = ("service-tasks", "managed-instances")


def _gpus(definition: Any, name: str) -> int:
    for container in definition.container_definitions:
        if container.get("name") != name:
            continue
        for requirement in container.get("resourceRequirements") or []:
            if requirement.get("type") == "GPU":
                return int(str(requirement.get("value", "0")))
    return 0


def container_instance_id(task_arn: str) -> str:
    """The id of the container instance a task of a service on a capacity provider is described on."""
    return hashlib.md5(f"{task_arn}|instance".encode()).hexdigest()


def apply() -> None:
    from . import service_tasks

    original = service_tasks._describe

    def describe(backend: Any, arn: str, service: Any, index: int) -> dict[str, Any]:
        task = original(backend, arn, service, index)
        strategy = getattr(service, "capacity_provider_strategy", None) or []
        if not strategy:
            return task
        provider = str(strategy[0].get("capacityProvider", ""))
        cluster_name = service.cluster_arn.split("/")[-1]
        instance = container_instance_id(arn)
        task.update(
            {
                "launchType": "MANAGED_INSTANCES",
                "capacityProviderName": provider,
                "containerInstanceArn": f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:container-instance/{cluster_name}/{instance}",
            }
        )
        try:
            definition = backend.describe_task_definition(service.task_definition)
        except Exception:  # a task definition deregistered meanwhile
            return task
        for container in task["containers"]:
            count = _gpus(definition, container["name"])
            if count > 0:
                container["gpuIds"] = [f"GPU-{hashlib.md5(f'{instance}|{n}'.encode()).hexdigest()[:8]}" for n in range(count)]
        return task

    service_tasks._describe = describe  # type: ignore[assignment]
