"""pipeline-dates: moto gap 9 (ISO date strings in JSON-protocol answers).

CodePipeline and CodeBuild speak the AWS JSON protocol, whose timestamps are
epoch seconds (numbers). moto 5.2.1 writes ISO-8601 strings for CodePipeline
``GetPipeline`` metadata (created/updated), ``ListPipelines`` (created/updated)
and CodeBuild builds (startTime/endTime, phase times). The AWS SDK for
JavaScript v3 then fails to deserialize the answer ("Expected real number, got
implicit NaN"), so our CLI could not read its own pipeline or build back.

The correction rewrites those answers: every timestamp field that holds an
ISO-8601 string becomes epoch seconds. Other fields are left alone.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any, Callable

NAME = "pipeline-dates"
ITEM = "9"
SUMMARY = (
    "CodePipeline/CodeBuild answers carry epoch-seconds timestamps (JSON protocol), "
    "so the JS SDK v3 can read them"
)

# Timestamp members of the CodePipeline and CodeBuild output shapes.
TIMESTAMP_KEYS = {
    "created",
    "updated",
    "pollingDisabledAt",
    "lastModified",
    "startTime",
    "endTime",
    "lastUpdateTime",
    "lastStatusChange",
    "lastChangedAt",
    "creationTime",
}

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def to_epoch(value: str) -> float | str:
    if not _ISO.match(value):
        return value
    text = value.replace("Z", "+00:00").replace(" ", "T")
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return round(moment.timestamp(), 3)


def epoch_timestamps(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                to_epoch(value)
                if key in TIMESTAMP_KEYS and isinstance(value, str)
                else epoch_timestamps(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [epoch_timestamps(item) for item in node]
    return node


def _rewriting(method: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        if isinstance(result, str) and result.startswith("{"):
            try:
                return json.dumps(epoch_timestamps(json.loads(result)))
            except ValueError:
                return result
        return result

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    return wrapper


def apply() -> None:
    from moto.codebuild.responses import CodeBuildResponse
    from moto.codepipeline.responses import CodePipelineResponse

    for cls, names in (
        (
            CodePipelineResponse,
            ("create_pipeline", "get_pipeline", "update_pipeline", "list_pipelines"),
        ),
        (
            CodeBuildResponse,
            (
                "create_project",
                "batch_get_projects",
                "start_build",
                "batch_get_builds",
                "stop_build",
            ),
        ),
    ):
        for name in names:
            method = getattr(cls, name, None)
            if method is not None:
                setattr(cls, name, _rewriting(method))
