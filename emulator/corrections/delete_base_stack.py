"""delete-base-stack: moto gap 1 (deleting the base stack fails).

moto 5.2.1 has no CloudFormation delete for NAT gateways, internet gateways and
their VPC attachments, route tables, routes, subnet/route-table associations,
Elastic IPs, VPC flow logs, ECS clusters/services/task definitions, ELBv2 target groups,
listeners and listener rules. ``ResourceMap.delete`` silently skips a model
without one, so the VPC keeps route tables and gateways and its delete raises
``DependencyViolation``; the stack record then vanishes while its exports, VPC,
cluster and target groups stay. The NAT gateway's network interface would also
stay behind in the VPC.

Our teardown deletes the added endpoints and then the base stack and must leave
nothing behind, so each of those models gets a ``delete_from_cloudformation_json``
that calls the backend's own delete (a resource already gone counts as deleted),
and ``DeleteStack`` keeps a stack whose resources could not all be deleted, as
``DELETE_FAILED`` with the reason, instead of dropping its record.
"""

from __future__ import annotations

from typing import Any

from ._common import (
    add_resource_event,
    ec2_backend,
    ecs_backend,
    elbv2_backend,
    error_message,
    freeze,
    drop_exports,
    ignore_not_found,
    retire_stack_outputs,
    set_cfn_delete,
    set_stack_status,
)

NAME = "delete-base-stack"
ITEM = "1"
SUMMARY = (
    "DeleteStack removes NAT/internet gateways, routes, EIPs, flow logs, ECS and ELBv2 "
    "resources; a failed delete leaves the stack DELETE_FAILED"
)


# --- EC2 --------------------------------------------------------------------


def _delete_nat_gateway(nat_id: str, account_id: str, region_name: str) -> None:
    ec2 = ec2_backend(account_id, region_name)
    nat = ec2.nat_gateways.get(nat_id)
    if nat is None or nat.state == "deleted":
        return
    eni = getattr(nat, "_eni", None)
    if eni is not None:
        for address in list(ec2.addresses):
            if address.eni is eni:
                ec2.disassociate_address(address=address.public_ip)
        ignore_not_found(ec2.delete_network_interface, eni.id)
    ec2.delete_nat_gateway(nat_id)  # stays listed as "deleted", like AWS


def _delete_internet_gateway(igw_id: str, account_id: str, region_name: str) -> None:
    # Raises DependencyViolation while attached: the stack delete retries it
    # after the VPCGatewayAttachment is gone.
    ignore_not_found(ec2_backend(account_id, region_name).delete_internet_gateway, igw_id)


def _delete_gateway_attachment(vpc_id: str, account_id: str, region_name: str) -> None:
    # The attachment's physical id is the VPC id (moto's VPCGatewayAttachment).
    ec2 = ec2_backend(account_id, region_name)
    for igw in list(ec2.internet_gateways.values()):
        if igw.vpc is not None and igw.vpc.id == vpc_id:
            ec2.detach_internet_gateway(igw.id, vpc_id)
    for vgw in list(getattr(ec2, "vpn_gateways", {}).values()):
        attachment = vgw.attachments.get(vpc_id)
        if attachment is not None and attachment.state == "attached":
            ec2.detach_vpn_gateway(vgw.id, vpc_id)


def _delete_route_table(rtb_id: str, account_id: str, region_name: str) -> None:
    ignore_not_found(ec2_backend(account_id, region_name).delete_route_table, rtb_id)


def _delete_route(route_id: str, account_id: str, region_name: str) -> None:
    # moto's route id is "<route table id>~<destination>".
    rtb_id, _, destination = route_id.partition("~")
    ignore_not_found(
        ec2_backend(account_id, region_name).delete_route, rtb_id, destination
    )


def _delete_subnet_association(rtb_id: str, account_id: str, region_name: str) -> None:
    # moto records a CloudFormation association only in ``subnet_associations``
    # (key "<rtb>:<subnet>") and gives it the route table id as physical id.
    ec2 = ec2_backend(account_id, region_name)
    for key, association in list(ec2.subnet_associations.items()):
        if association.route_table_id == rtb_id:
            ec2.subnet_associations.pop(key, None)


def _delete_flow_log(flow_log_id: str, account_id: str, region_name: str) -> None:
    ec2 = ec2_backend(account_id, region_name)
    if flow_log_id in ec2.flow_logs:
        ec2.delete_flow_logs([flow_log_id])


def _release_eip(public_ip: str, account_id: str, region_name: str) -> None:
    ec2 = ec2_backend(account_id, region_name)
    if not ec2.address_by_ip([public_ip], fail_if_not_found=False):
        return
    ec2.release_address(address=public_ip)


# --- ECS ----------------------------------------------------------------------


def _delete_cluster(name: str, account_id: str, region_name: str) -> None:
    ignore_not_found(ecs_backend(account_id, region_name).delete_cluster, name)


def _delete_service(arn: str, account_id: str, region_name: str) -> None:
    ecs = ecs_backend(account_id, region_name)
    for service in list(ecs.services.values()):
        if service.arn == arn and service.status == "ACTIVE":
            # CloudFormation scales the service to 0 before deleting it
            service.desired_count = 0
            ecs.delete_service(service.cluster_name, service.name, force=True)
            service.running_count = 0


def _deregister_task_definition(arn: str, account_id: str, region_name: str) -> None:
    ignore_not_found(
        ecs_backend(account_id, region_name).deregister_task_definition, arn
    )


# --- ELBv2 ----------------------------------------------------------------------


def _delete_target_group(arn: str, account_id: str, region_name: str) -> None:
    # Raises ResourceInUse while a listener or rule forwards to it: retried.
    ignore_not_found(elbv2_backend(account_id, region_name).delete_target_group, arn)


def _delete_listener(arn: str, account_id: str, region_name: str) -> None:
    ignore_not_found(elbv2_backend(account_id, region_name).delete_listener, arn)


def _delete_rule(arn: str, account_id: str, region_name: str) -> None:
    ignore_not_found(elbv2_backend(account_id, region_name).delete_rule, arn)


def _delete_load_balancer(arn: str, account_id: str, region_name: str) -> None:
    elbv2_backend(account_id, region_name).delete_load_balancer(arn)


# --- stack level ----------------------------------------------------------------


def _tag_failed_deletes() -> None:
    """Remember which resource's delete raised, for the DELETE_FAILED event."""
    from moto.cloudformation.parsing import ResourceMap

    original = ResourceMap._delete_resource

    def _delete_resource(self: Any, parsed_resource: Any, resource_json: Any) -> None:
        try:
            original(self, parsed_resource, resource_json)
        except Exception as exc:
            exc._emulator_logical_id = getattr(parsed_resource, "logical_resource_id", None)  # type: ignore[attr-defined]
            exc._emulator_resource_type = resource_json.get("Type", "")  # type: ignore[attr-defined]
            exc._emulator_physical_id = getattr(parsed_resource, "physical_resource_id", "")  # type: ignore[attr-defined]
            raise

    ResourceMap._delete_resource = _delete_resource  # type: ignore[method-assign]


def _find_live_stack(backend: Any, name_or_stack_id: str) -> Any:
    if name_or_stack_id in backend.stacks:
        return backend.stacks[name_or_stack_id]
    for stack in backend.stacks.values():
        if stack.name == name_or_stack_id:
            return stack
    return None


def delete_stack(self: Any, name_or_stack_id: str) -> None:
    """CloudFormationBackend.delete_stack that keeps a stack it could not delete."""
    stack = _find_live_stack(self, name_or_stack_id)
    if stack is None:
        return  # deleting a stack that does not exist succeeds, as on AWS
    freeze(stack.resource_map)  # from now on, lookups never re-create resources
    stack._add_stack_event("DELETE_IN_PROGRESS", resource_status_reason="User Initiated")
    stack.status = "DELETE_IN_PROGRESS"
    try:
        stack.resource_map.delete()
    except Exception as exc:
        message = error_message(exc)
        logical_id = getattr(exc, "_emulator_logical_id", None)
        if logical_id:
            add_resource_event(
                stack,
                logical_id,
                getattr(exc, "_emulator_resource_type", ""),
                "DELETE_FAILED",
                message,
                physical_id=str(getattr(exc, "_emulator_physical_id", "") or ""),
            )
            reason = f"The following resource(s) failed to delete: [{logical_id}]. {message}"
        else:
            reason = message
        set_stack_status(stack, "DELETE_FAILED", reason)
        return
    set_stack_status(stack, "DELETE_COMPLETE")
    self.stacks.pop(stack.stack_id, None)
    self.deleted_stacks[stack.stack_id] = stack
    drop_exports(self, stack.stack_id)
    retire_stack_outputs(stack)


def apply() -> None:
    from moto.cloudformation.models import CloudFormationBackend
    from moto.ec2.models.elastic_ip_addresses import ElasticAddress
    from moto.ec2.models.flow_logs import FlowLogs
    from moto.ec2.models.internet_gateways import InternetGateway
    from moto.ec2.models.nat_gateways import NatGateway
    from moto.ec2.models.route_tables import Route, RouteTable
    from moto.ec2.models.subnets import SubnetRouteTableAssociation
    from moto.ec2.models.vpn_gateway import VPCGatewayAttachment
    from moto.ecs.models import Cluster, Service, TaskDefinition
    from moto.elbv2.models import (
        FakeListener,
        FakeListenerRule,
        FakeLoadBalancer,
        FakeTargetGroup,
    )

    set_cfn_delete(NatGateway, _delete_nat_gateway)
    set_cfn_delete(InternetGateway, _delete_internet_gateway)
    set_cfn_delete(VPCGatewayAttachment, _delete_gateway_attachment)
    set_cfn_delete(RouteTable, _delete_route_table)
    set_cfn_delete(Route, _delete_route)
    set_cfn_delete(SubnetRouteTableAssociation, _delete_subnet_association)
    set_cfn_delete(ElasticAddress, _release_eip)
    set_cfn_delete(FlowLogs, _delete_flow_log)
    set_cfn_delete(Cluster, _delete_cluster)
    set_cfn_delete(Service, _delete_service)
    set_cfn_delete(TaskDefinition, _deregister_task_definition)
    set_cfn_delete(FakeTargetGroup, _delete_target_group)
    set_cfn_delete(FakeListener, _delete_listener)
    set_cfn_delete(FakeListenerRule, _delete_rule)
    # FakeLoadBalancer already has an instance ``delete``; the classmethod only
    # serves a map whose parsed object lacks it.
    set_cfn_delete(FakeLoadBalancer, _delete_load_balancer)

    _tag_failed_deletes()
    CloudFormationBackend.delete_stack = delete_stack  # type: ignore[method-assign]
