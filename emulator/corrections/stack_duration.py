"""stack-duration: a stack's creation takes as long as it is told to.

On AWS creating a base stack takes minutes (NAT gateway, load balancer, EFS mount
targets); moto creates every stack at once. To show on the emulator what runs
beside what during a create, the creation can be given a duration: with
``emulator/server.py --stack-seconds N`` (or ``MLOPS_EMULATOR_STACK_SECONDS``) a
stack that moto has created reads ``CREATE_IN_PROGRESS`` for N seconds from the
start of its creation (CreateStack, or ExecuteChangeSet of a CREATE change set),
then ``CREATE_COMPLETE``, as CloudFormation reports a creation in progress.
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
SUMMARY = "a stack's creation reads CREATE_IN_PROGRESS for --stack-seconds N (default 0: done at once)"

ENV = "MLOPS_EMULATOR_STACK_SECONDS"


def seconds() -> float:
    """The configured creation duration; 0 when unset."""
    return float(os.environ.get(ENV) or 0)


def apply() -> None:
    from moto.cloudformation.models import Stack

    def get_status(self: Any) -> Any:
        status = self.__dict__.get("_emulator_status")
        started = self.__dict__.get("_emulator_create_started")
        if status == "CREATE_COMPLETE" and started is not None and time.time() - started < seconds():
            return "CREATE_IN_PROGRESS"
        return status

    def set_status(self: Any, value: Any) -> None:
        previous = self.__dict__.get("_emulator_status")
        # The creation starts at the first CREATE_* status (moto may go straight to CREATE_COMPLETE).
        if isinstance(value, str) and value.startswith("CREATE_") and not (isinstance(previous, str) and previous.startswith("CREATE_")):
            self.__dict__["_emulator_create_started"] = time.time()
        self.__dict__["_emulator_status"] = value

    Stack.status = property(get_status, set_status)
