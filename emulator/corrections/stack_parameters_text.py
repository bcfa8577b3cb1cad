"""stack-parameters-text: moto gap: list parameters read back as Python lists.

``DescribeStacks`` answers a ``CommaDelimitedList`` (or ``List<...>``)
parameter's value as the text of a Python list (``['us-east-1a', 'us-east-1b']``)
where CloudFormation answers the value as it was given (``us-east-1a,us-east-1b``).
A plan that compares the deployed parameters with the new ones would see a
change in every list parameter.

The correction makes ``DescribeStacks`` answer a stack's parameters as text: list values joined
with commas, numbers as strings.
"""

from __future__ import annotations

from typing import Any

from ._common import parameter_text

NAME = "stack-parameters-text"
ITEM = "-"  # parameters read back (not in the measured list)
SUMMARY = "DescribeStacks answers list parameters as comma-separated text, as CloudFormation does"


def apply() -> None:
    from moto.cloudformation.models import Stack

    original = Stack.parameter_list

    def parameter_list(self: Any) -> list[dict[str, Any]]:
        return [{**item, "ParameterValue": parameter_text(item.get("ParameterValue"))} for item in original.fget(self)]

    Stack.parameter_list = property(parameter_list)  # type: ignore[assignment]
