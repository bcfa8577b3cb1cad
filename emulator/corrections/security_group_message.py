"""security-group-message: moto writes a Python set into an EC2 error message.

Not in the list of known moto gaps (found by a chaos run): ``DescribeSecurityGroups``
of a group that does not exist answers ``InvalidGroup.NotFound: The security
group '{'sg-0123'}' does not exist``: moto formats the set of unknown ids with
Python's ``repr``. mlops shows AWS's message to the user as it is, so the set
leaked into mlops's output.

EC2 names the group: ``The security group 'sg-0123' does not exist`` (several:
comma-separated). The correction formats the ids that way.
"""

from __future__ import annotations

from typing import Any

NAME = "security-group-message"
ITEM = "-"  # not in the list of known moto gaps: found by a chaos run
SUMMARY = "InvalidGroup.NotFound names the group ids as EC2 does, not as a Python set"


def apply() -> None:
    from moto.ec2 import exceptions
    from moto.ec2.exceptions import EC2ClientError

    def __init__(self: Any, name: Any) -> None:
        if isinstance(name, (set, frozenset, list, tuple)):
            name = ", ".join(sorted(str(item) for item in name))
        EC2ClientError.__init__(self, "InvalidGroup.NotFound", f"The security group '{name}' does not exist")

    exceptions.InvalidSecurityGroupNotFoundError.__init__ = __init__  # type: ignore[method-assign]
