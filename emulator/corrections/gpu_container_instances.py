"""gpu-container-instances: moto 5.2.1 knows no container instance under a task on ECS Managed Instances.

On AWS a task on a Managed Instances capacity provider names the
``containerInstanceArn`` of the EC2 instance ECS launched for it (ECS API
reference, Task), and ``DescribeContainerInstances`` describes that container
instance: its ``ec2InstanceId``, ``status``, the ``capacityProviderName`` that
launched it and its ``attributes``, among them ``ecs.instance-type``, the EC2
instance type (ECS API reference, DescribeContainerInstances and
ContainerInstance; Amazon ECS Developer Guide, "Amazon ECS container instance
attributes"). ``mlops status`` reads the instance type there. The gpu-tasks
correction describes such tasks with a ``containerInstanceArn`` that no
container instance of moto's has, so moto answers ``MISSING`` for it.

The correction describes, for each such task, its container instance: ACTIVE,
one running task, placed by the service's capacity provider, with an
``ec2InstanceId`` and the ``ecs.instance-type`` attribute set to the first
instance type the capacity provider allows (``allowedInstanceTypes``); a
provider that selects instances by attributes alone gets no such attribute, as
the emulator launches no real instance to name. Other container instances are
moto's. Without the correction the call fails with HTTP 500: moto keys its
container instances by cluster and has no entry for a cluster where none was
registered.
"""

from __future__ import annotations

import hashlib
from typing import Any

NAME = "gpu-container-instances"
ITEM = "container instances under tasks on ECS Managed Instances"
SUMMARY = "DescribeContainerInstances describes the instance under each task on a Managed Instances capacity provider, with its ec2InstanceId and ecs.instance-type attribute"
REQUIRES = ("service-tasks", "gpu-tasks")


def _instance_type(backend: Any, provider_name: str) -> str | None:
    provider = backend.capacity_providers.get(provider_name)
    settings = getattr(provider, "managed_instances_provider", None) or {}
    requirements = (settings.get("instanceLaunchTemplate") or {}).get("instanceRequirements") or {}
    allowed = requirements.get("allowedInstanceTypes") or []
    return str(allowed[0]) if allowed else None


def apply() -> None:
    from moto.core.responses import ActionResult
    from moto.ecs.responses import EC2ContainerServiceResponse

    from .gpu_tasks import container_instance_id
    from .service_tasks import service_tasks

    original = EC2ContainerServiceResponse.describe_container_instances

    def describe_container_instances(self: Any) -> Any:
        cluster = self._get_param("cluster", "default")
        requested = self._get_param("containerInstances") or []
        backend = self.ecs_backend
        ours: dict[str, tuple[str, Any]] = {}
        for arn, (service, _index) in service_tasks(backend, cluster).items():
            strategy = getattr(service, "capacity_provider_strategy", None) or []
            if strategy:
                ours[container_instance_id(arn)] = (arn, service)
        matched = [r for r in requested if r.split("/")[-1] in ours]
        if not matched:
            return original(self)
        described = []
        for requested_arn in matched:
            instance_id = requested_arn.split("/")[-1]
            _task, service = ours[instance_id]
            provider = str(service.capacity_provider_strategy[0].get("capacityProvider", ""))
            cluster_name = service.cluster_arn.split("/")[-1]
            # moto's serializer turns a {name: value} dict into the API's list of attributes.
            attributes = {"ecs.os-type": "linux"}
            instance_type = _instance_type(backend, provider)
            if instance_type:
                attributes["ecs.instance-type"] = instance_type
            described.append(
                {
                    "containerInstanceArn": f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:container-instance/{cluster_name}/{instance_id}",
                    "ec2InstanceId": f"i-{hashlib.md5(instance_id.encode()).hexdigest()[:17]}",
                    "capacityProviderName": provider,
                    "status": "ACTIVE",
                    "agentConnected": True,
                    "runningTasksCount": 1,
                    "pendingTasksCount": 0,
                    "attributes": attributes,
                }
            )
        others = [r for r in requested if r.split("/")[-1] not in ours]
        failures: list[Any] = []
        if others:
            from moto.ecs.models import ContainerInstanceFailure

            if cluster.split("/")[-1] in backend.container_instances:
                theirs, failures = backend.describe_container_instances(cluster, others)
                described.extend(theirs)
            else:
                # moto keys its container instances by cluster and fails (KeyError) for a cluster without any.
                failures = [ContainerInstanceFailure("MISSING", r.split("/")[-1], backend.account_id, backend.region_name) for r in others]
        return ActionResult({"containerInstances": described, "failures": failures})

    EC2ContainerServiceResponse.describe_container_instances = describe_container_instances  # type: ignore[method-assign]
