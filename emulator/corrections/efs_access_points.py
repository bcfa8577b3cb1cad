"""efs-access-points: an ``AWS::EFS::AccessPoint`` of a stack has no id.

moto 5.2.1 creates the access point, but its model has no
``physical_resource_id``: ``Ref`` to it answers the Python object, so a task
definition whose EFS volume names the access point (``AccessPointId: !Ref ...``)
holds that object, and ``DescribeTaskDefinition`` fails (HTTP 500); a
``!Sub ...${AccessPoint}`` ARN becomes the object's text. ``Fn::GetAtt`` of
``AccessPointId`` / ``Arn`` fails, and deleting the stack leaves the access
point behind. Its POSIX user and creation info keep the template's text
(``"Uid": "1000"``), where EFS answers numbers (``DescribeAccessPoints``).

As CloudFormation documents for the type
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-efs-accesspoint.html):
``Ref`` answers the access point id (``fsap-...``), ``Fn::GetAtt`` answers
``AccessPointId`` and ``Arn``, and deleting the resource deletes the access point;
the ids of ``PosixUser`` and ``RootDirectory.CreationInfo`` are numbers.
"""

from __future__ import annotations

from typing import Any

NAME = "efs-access-points"
ITEM = "-"
SUMMARY = "AWS::EFS::AccessPoint answers Ref (its id) and GetAtt AccessPointId/Arn, with numeric POSIX ids, and goes with its stack"


def apply() -> None:
    from moto.efs.models import AccessPoint, efs_backends
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

    original_init = AccessPoint.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        posix = dict(self.posix_user or {})
        for key in ("Uid", "Gid"):
            if key in posix:
                posix[key] = int(posix[key])
        if "SecondaryGids" in posix:
            posix["SecondaryGids"] = [int(g) for g in posix["SecondaryGids"]]
        self.posix_user = posix
        creation = (self.root_directory or {}).get("CreationInfo")
        if isinstance(creation, dict):
            self.root_directory = {**self.root_directory, "CreationInfo": {**creation, "OwnerUid": int(creation["OwnerUid"]), "OwnerGid": int(creation["OwnerGid"])}}

    AccessPoint.__init__ = init  # type: ignore[method-assign]
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
