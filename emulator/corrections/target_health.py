"""target-health: moto gap 3 (a service's target group has no targets).

moto's ECS service runs no tasks and registers nothing in the target groups
named in its ``loadBalancers``, so ``elbv2 describe-target-health`` answers an
empty list. Our validate step requires every target of the endpoint's target
group to be healthy (and at least as many as the desired count).

After an ECS service is created, updated or deleted, the target groups of its
``loadBalancers`` hold one healthy target per running task: an IP address in the
service's subnets (stable per service and task index) on the container port.
A deleted or scaled-down service's targets are removed.
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any

from ._common import ec2_backend, elbv2_backend

NAME = "target-health"
ITEM = "3"
SUMMARY = (
    "a service's target groups report one healthy target per running task "
    "(task IPs in the service's subnets)"
)


def _subnet_network(service: Any, subnet_id: str | None) -> Any:
    if subnet_id:
        try:
            subnet = ec2_backend(service._account_id, service.region_name).get_subnet(subnet_id)
            return ipaddress.ip_network(subnet.cidr_block, strict=False)
        except Exception:
            pass
    return ipaddress.ip_network("10.0.0.0/16")


def task_ips(service: Any, count: int) -> list[str]:
    config = (getattr(service, "network_configuration", None) or {}).get(
        "awsvpcConfiguration", {}
    )
    subnets = list(config.get("subnets") or [])
    ips: list[str] = []
    for index in range(count):
        subnet_id = subnets[index % len(subnets)] if subnets else None
        network = _subnet_network(service, subnet_id)
        usable = max(network.num_addresses - 5, 1)  # AWS keeps 4 first + last
        seed = int(hashlib.sha256(f"{service.arn}#{index}".encode()).hexdigest(), 16)
        for probe in range(usable):
            candidate = str(network.network_address + 4 + (seed + probe) % usable)
            if candidate not in ips:
                ips.append(candidate)
                break
    return ips


def sync_targets(service: Any) -> None:
    elb = elbv2_backend(service._account_id, service.region_name)
    for arn, ids in getattr(service, "_emulator_targets", {}).items():
        group = elb.target_groups.get(arn)
        if group is not None:
            for target_id in ids:
                group.targets.pop(target_id, None)
    count = int(service.running_count or 0) if service.status == "ACTIVE" else 0
    registered: dict[str, list[str]] = {}
    ips = task_ips(service, count)
    for balancer in service.load_balancers or []:
        arn = balancer.get("targetGroupArn")
        group = elb.target_groups.get(arn) if arn else None
        if group is None:
            continue
        port = balancer.get("containerPort") or group.port
        for ip in ips:
            group.targets[ip] = {"Id": ip, "Port": port}
            group.deregistered_targets.pop(ip, None)
        registered[arn] = list(ips)
    service._emulator_targets = registered


def apply() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    original_create = EC2ContainerServiceBackend.create_service
    original_update = EC2ContainerServiceBackend.update_service
    original_delete = EC2ContainerServiceBackend.delete_service

    def create_service(self: Any, *args: Any, **kwargs: Any) -> Any:
        service = original_create(self, *args, **kwargs)
        sync_targets(service)
        return service

    def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
        service = original_update(self, service_properties)
        sync_targets(service)
        return service

    def delete_service(self: Any, *args: Any, **kwargs: Any) -> Any:
        service = original_delete(self, *args, **kwargs)
        sync_targets(service)
        return service

    EC2ContainerServiceBackend.create_service = create_service  # type: ignore[method-assign]
    EC2ContainerServiceBackend.update_service = update_service  # type: ignore[method-assign]
    EC2ContainerServiceBackend.delete_service = delete_service  # type: ignore[method-assign]
