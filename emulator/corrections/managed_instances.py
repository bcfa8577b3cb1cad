"""managed-instances: moto 5.2.1 has no ECS Managed Instances capacity provider.

moto's ECS capacity providers know only Auto Scaling groups, and
AWS::ECS::CapacityProvider has no CloudFormation model: a stack with one
"succeeds" (the resource is skipped with a warning), no capacity provider
exists, and a service whose ``CapacityProviderStrategy`` names it comes out
on the ``EC2`` launch type with no strategy.

On AWS (AWS::ECS::CapacityProvider, CloudFormation Template Reference; the ECS
API's CreateCapacityProvider and DescribeCapacityProviders), a capacity
provider with ``ManagedInstancesProvider`` and ``ClusterName`` is created in
that cluster and listed in its ``capacityProviders``; DescribeCapacityProviders
shows its ``managedInstancesProvider``, ``cluster`` and type
``MANAGED_INSTANCES`` (and, asked for no names, every capacity provider: moto
5.2.1 answers that with a 500); deleting the stack deletes it (after the service that
uses it). A service created with a capacity provider strategy has that
``capacityProviderStrategy`` and no ``launchType`` (the two exclude each other).

The correction gives the type a model that does this through moto's own ECS
backend, and makes services created or updated from CloudFormation keep their
strategy.
"""

from __future__ import annotations

from typing import Any

from ._common import ecs_backend, ignore_not_found

NAME = "managed-instances"
ITEM = "AWS::ECS::CapacityProvider with ManagedInstancesProvider (no CloudFormation model); services on a capacity provider strategy"
SUMMARY = (
    "AWS::ECS::CapacityProvider with ManagedInstancesProvider creates, updates and deletes a "
    "MANAGED_INSTANCES capacity provider in its cluster; services keep their capacity provider strategy"
)
REQUIRES = ("ecs-properties",)


def _strategy(props: dict[str, Any]) -> list[dict[str, Any]] | None:
    from .ecs_properties import to_api

    strategy = props.get("CapacityProviderStrategy")
    if not strategy:
        return None
    items = to_api(strategy)
    for item in items:
        provider = item.get("capacityProvider")
        item["capacityProvider"] = str(getattr(provider, "name", provider))
        for key in ("weight", "base"):
            if key in item:
                item[key] = int(item[key])
    return items


def _ints(value: Any) -> Any:
    """Numbers CloudFormation passes as text where the API has integers (ranges, storage size)."""
    if isinstance(value, dict):
        return {k: (int(v) if k in {"min", "max", "storageSizeGiB"} and isinstance(v, str) else _ints(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    return value


def _cluster(backend: Any, name: str) -> Any:
    return backend.clusters.get(name.split("/")[-1])


def apply() -> None:
    from moto.cloudformation import parsing
    from moto.core.common_models import BaseModel, CloudFormationModel

    from . import ecs_properties
    from .ecs_properties import to_api

    def provider_settings(props: dict[str, Any]) -> dict[str, Any]:
        settings = to_api(props.get("ManagedInstancesProvider") or {})
        settings = _ints(settings)
        # The launch template's names as the API spells them.
        template = settings.get("instanceLaunchTemplate") or {}
        if "ec2InstanceProfileArn" in template:
            template["ec2InstanceProfileArn"] = str(template["ec2InstanceProfileArn"])
        return settings

    class CapacityProviderResource(CloudFormationModel, BaseModel):
        def __init__(self, name: str, cluster: str):
            self.name = name
            self.cluster = cluster

        @property
        def physical_resource_id(self) -> str:
            return self.name

        @staticmethod
        def cloudformation_name_type() -> str:
            return "Name"

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::ECS::CapacityProvider"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return False

        @classmethod
        def create_from_cloudformation_json(  # type: ignore[misc]
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
        ) -> "CapacityProviderResource":
            props = cloudformation_json.get("Properties", {})
            backend = ecs_backend(account_id, region_name)
            name = props.get("Name") or resource_name
            cluster_name = str(props.get("ClusterName") or "")
            provider = backend.create_capacity_provider(name, {}, to_api(props.get("Tags")))
            # An Auto Scaling group provider is what moto's model assumes; this one has none.
            provider.auto_scaling_group_provider = None
            provider.managed_instances_provider = provider_settings(props)
            provider.type = "MANAGED_INSTANCES"
            cluster = _cluster(backend, cluster_name)
            if cluster is not None:
                provider.cluster = cluster.name
                cluster.capacity_providers = [*(cluster.capacity_providers or []), name]
            return cls(name, cluster_name)

        @classmethod
        def update_from_cloudformation_json(  # type: ignore[misc]
            cls, original_resource: Any, new_resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
        ) -> "CapacityProviderResource":
            props = cloudformation_json.get("Properties", {})
            backend = ecs_backend(account_id, region_name)
            same = str(props.get("ClusterName") or "") == original_resource.cluster and (props.get("Name") or original_resource.name) == original_resource.name
            if not same:
                # ClusterName and Name are create-only: a new provider replaces the old one.
                original_resource.delete(account_id, region_name)
                return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)
            provider = backend.capacity_providers.get(original_resource.name)
            if provider is not None:
                provider.managed_instances_provider = provider_settings(props)
                provider.update_status = "UPDATE_COMPLETE"
            return original_resource

        @classmethod
        def delete_from_cloudformation_json(  # type: ignore[misc]
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
        ) -> None:
            cluster = str((cloudformation_json or {}).get("Properties", {}).get("ClusterName") or "")
            cls(resource_name, cluster).delete(account_id, region_name)

        def delete(self, account_id: str, region_name: str) -> None:
            backend = ecs_backend(account_id, region_name)
            ignore_not_found(backend.delete_capacity_provider, self.name)
            backend.capacity_providers.pop(self.name, None)
            cluster = _cluster(backend, self.cluster)
            if cluster is not None and cluster.capacity_providers:
                cluster.capacity_providers = [name for name in cluster.capacity_providers if name != self.name]

    original_create = ecs_properties._create_service

    def create_service(resource_name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        service = original_create(resource_name, props, account_id, region_name)
        strategy = _strategy(props)
        if strategy is not None:
            service.capacity_provider_strategy = strategy
            service.launch_type = None
        return service

    ecs_properties._create_service = create_service  # type: ignore[assignment]

    from moto.ecs.models import Service

    original_update = Service.update_from_cloudformation_json

    def service_update(cls: type, original_resource: Any, new_resource_name: str, cloudformation_json: Any, account_id: str, region_name: str) -> Any:
        service = original_update.__func__(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)  # type: ignore[attr-defined]
        strategy = _strategy(cloudformation_json["Properties"])
        if strategy is not None:
            service.capacity_provider_strategy = strategy
            service.launch_type = None
        return service

    Service.update_from_cloudformation_json = classmethod(service_update)  # type: ignore[method-assign,assignment]

    from moto.ecs.models import EC2ContainerServiceBackend

    original_describe = EC2ContainerServiceBackend.describe_capacity_providers

    def describe_capacity_providers(self: Any, names: list[str] | None) -> Any:
        if not names:
            return list(self.capacity_providers.values()), []
        return original_describe(self, names)

    EC2ContainerServiceBackend.describe_capacity_providers = describe_capacity_providers  # type: ignore[method-assign]

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
