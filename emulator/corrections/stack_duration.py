"""stack-duration: a slow stack's creation takes as long as it is told to.

On AWS the stacks of a create do not take the same time: a stack that creates a
NAT gateway, a load balancer, EFS mount targets or an ECS service waits minutes
for them, while a stack of an ECR repository, IAM roles, buckets or log groups is
done in seconds. The per-type times the create model uses
(src/deploy/engine/create-time.ts, CREATE_SOURCES):

- ``AWS::EC2::NatGateway``: ``pending`` until ``available``, 1-2 min (assumed 2 min),
  https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-working-with.html
- ``AWS::ElasticLoadBalancingV2::LoadBalancer``: ``provisioning`` until ``active``,
  about 3 min, https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-state
- ``AWS::EFS::MountTarget``: ``creating`` until ``available``, about 1.5 min,
  https://docs.aws.amazon.com/efs/latest/ug/manage-fs-access.html
- ``AWS::ECS::Service``: steady state in about a minute (assumed),
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html

moto creates every stack at once. To show on the emulator what runs beside what
during a create, a slow stack's creation can be given a duration: with
``emulator/server.py --stack-seconds N`` (or ``MLOPS_EMULATOR_STACK_SECONDS``) a
stack that moto has created, and in which moto created a resource of one of the
types above, reads ``CREATE_IN_PROGRESS`` for N seconds from the start of its
creation (CreateStack, or ExecuteChangeSet of a CREATE change set), then
``CREATE_COMPLETE``, as CloudFormation reports a creation in progress. Other
stacks complete as moto completes them (at once): on AWS they take a small
fraction of a slow stack's time (CREATE_SOURCES.pipelineSetup: under a minute).
Updates and deletions keep their speed. Without the option (N = 0) nothing changes.
"""

from __future__ import annotations

import os
import time
from typing import Any

NAME = "stack-duration"
ITEM = "-"  # not a moto gap: a setting for benchmarks of the create's critical path
# Our CLI creates stacks through change sets, whose execution change-set-execute finishes.
REQUIRES = ("change-set-execute",)
SUMMARY = (
    "a stack that creates a NAT gateway, load balancer, EFS mount target or ECS service reads CREATE_IN_PROGRESS "
    "for --stack-seconds N (default 0: done at once); other stacks are done at once"
)

ENV = "MLOPS_EMULATOR_STACK_SECONDS"

# The resource types that keep a stack creating for minutes on AWS (see the docstring for their times).
SLOW_TYPES = frozenset(
    {
        "AWS::EC2::NatGateway",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "AWS::EFS::MountTarget",
        "AWS::ECS::Service",
    }
)


def seconds() -> float:
    """The configured creation duration; 0 when unset."""
    return float(os.environ.get(ENV) or 0)


def is_slow(stack: Any) -> bool:
    """Whether the stack creates a resource of a slow type (one its conditions leave out does not count)."""
    resources = (getattr(stack, "template_dict", None) or {}).get("Resources") or {}
    created = getattr(getattr(stack, "resource_map", None), "_parsed_resources", None)
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") not in SLOW_TYPES:
            continue
        if created is None or logical_id in created:
            return True
    return False


def apply() -> None:
    from moto.cloudformation.models import Stack

    def get_status(self: Any) -> Any:
        status = self.__dict__.get("_emulator_status")
        started = self.__dict__.get("_emulator_create_started")
        if status == "CREATE_COMPLETE" and started is not None and time.time() - started < seconds() and is_slow(self):
            return "CREATE_IN_PROGRESS"
        return status

    def set_status(self: Any, value: Any) -> None:
        previous = self.__dict__.get("_emulator_status")
        # The creation starts at the first CREATE_* status (moto may go straight to CREATE_COMPLETE).
        if isinstance(value, str) and value.startswith("CREATE_") and not (isinstance(previous, str) and previous.startswith("CREATE_")):
            self.__dict__["_emulator_create_started"] = time.time()
        self.__dict__["_emulator_status"] = value

    Stack.status = property(get_status, set_status)
