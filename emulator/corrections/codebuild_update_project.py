"""codebuild-update-project: CodeBuild ``UpdateProject`` (missing in moto 5.2.1).

Not in the list of known moto gaps (found with the sequence tests): moto has no
``UpdateProject`` and answers HTTP 500 with an HTML page. Our create-endpoint
and add-endpoint converge: when the endpoint's build project already exists
(a second run, a re-create after teardown of the stacks only) they update it
instead of creating it, so a second run failed.

The correction adds ``UpdateProject``: the fields given replace the project's
(name is the key; an unknown project is ``ResourceNotFoundException``), and the
answer is the project, like ``CreateProject``'s.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.utils import unix_time

NAME = "codebuild-update-project"
ITEM = "-"  # not in the list of known moto gaps: found by the sequence tests
SUMMARY = "CodeBuild UpdateProject replaces the fields given (moto answers HTTP 500)"

# request member -> key in moto's project_metadata
_FIELDS = {
    "description": "description",
    "source": "source",
    "secondarySources": "secondarySources",
    "sourceVersion": "sourceVersion",
    "secondarySourceVersions": "secondarySourceVersions",
    "artifacts": "artifacts",
    "secondaryArtifacts": "secondaryArtifacts",
    "cache": "cache",
    "environment": "environment",
    "serviceRole": "serviceRole",
    "timeoutInMinutes": "timeoutInMinutes",
    "queuedTimeoutInMinutes": "queuedTimeoutInMinutes",
    "encryptionKey": "encryptionKey",
    "tags": "tags",
    "vpcConfig": "vpcConfig",
    "logsConfig": "logsConfig",
    "fileSystemLocations": "fileSystemLocations",
    "buildBatchConfig": "buildBatchConfig",
    "concurrentBuildLimit": "concurrentBuildLimit",
}


def apply() -> None:
    from moto.codebuild import responses
    from moto.codebuild.exceptions import ResourceNotFoundException
    from moto.codebuild.responses import CodeBuildResponse

    if hasattr(CodeBuildResponse, "update_project"):
        return

    def update_project(self: Any) -> str:
        name = self._get_param("name")
        project = self.codebuild_backend.codebuild_projects.get(name)
        if project is None:
            raise ResourceNotFoundException(
                f"Failed to call UpdateProject, reason: Project cannot be found: {name}"
            )
        if self._get_param("source") is not None:
            responses._validate_required_params_source(self._get_param("source"))
        if self._get_param("artifacts") is not None:
            responses._validate_required_params_artifacts(self._get_param("artifacts"))
        if self._get_param("environment") is not None:
            responses._validate_required_params_environment(self._get_param("environment"))
        role = self._get_param("serviceRole")
        if role is not None:
            responses._validate_required_params_service_role(
                self.current_account, self.region, role
            )
            project.service_role = role
        metadata = project.project_metadata
        for member, key in _FIELDS.items():
            value = self._get_param(member)
            if value is not None:
                metadata[key] = value
        if self._get_param("tags") is not None:
            project.tags = self._get_param("tags")
        if self._get_param("badgeEnabled") is not None:
            metadata["badge"] = {"badgeEnabled": bool(self._get_param("badgeEnabled"))}
        metadata["lastModifiedDate"] = unix_time()
        return json.dumps({"project": metadata})

    CodeBuildResponse.update_project = update_project  # type: ignore[attr-defined]
