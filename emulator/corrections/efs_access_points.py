"""efs-access-points: an ``AWS::EFS::AccessPoint`` of a stack has no id.

moto 5.2.1 creates the access point, but its model has no
``physical_resource_id``: ``Ref`` to it answers the Python object, so a task
definition whose EFS volume names the access point (``AccessPointId: !Ref ...``)
holds that object, and ``DescribeTaskDefinition`` fails (HTTP 500); a
``!Sub ...${AccessPoint}`` ARN becomes the object's text. ``Fn::GetAtt`` of
``AccessPointId`` / ``Arn`` fails, and deleting the stack leaves the access
point behind.

As CloudFormation documents for the type
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-efs-accesspoint.html):
``Ref`` answers the access point id (``fsap-...``), ``Fn::GetAtt`` answers
``AccessPointId`` and ``Arn``, and deleting the resource deletes the access point.
"""

from __future__ import annotations

from typing import Any

NAME = "efs-access-points"
ITEM = "-"
SUMMARY = "AWS::EFS::AccessPoint answers Ref (its id) and GetAtt AccessPointId/Arn, and goes with its stack"


def apply() -> None:
    from moto.efs.models import AccessPoint, efs_backends
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

    AccessPoint.physical_resource_id = property(lambda self: self.access_point_id)  # type: ignore[attr-defined]

    @classmethod  # type: ignore[misc]
    def has_cfn_attr(cls: Any, attr: str) -> bool:
        return attr in ("AccessPointId", "Arn")

    def get_cfn_attribute(self: Any, attribute_name: str) -> str:
        if attribute_name == "AccessPointId":
            return self.access_point_id
        if attribute_name == "Arn":
            return self.access_point_arn
        raise UnformattedGetAttTemplateException()

    @classmethod  # type: ignore[misc]
    def delete_from_cloudformation_json(cls: Any, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str) -> None:
        backend = efs_backends[account_id][region_name]
        if resource_name in backend.access_points:
            backend.delete_access_point(resource_name)

    AccessPoint.has_cfn_attr = has_cfn_attr  # type: ignore[method-assign,assignment]
    AccessPoint.get_cfn_attribute = get_cfn_attribute  # type: ignore[attr-defined]
    AccessPoint.delete_from_cloudformation_json = delete_from_cloudformation_json  # type: ignore[method-assign,assignment]
