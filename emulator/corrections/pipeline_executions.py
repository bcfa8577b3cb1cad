"""pipeline-executions: moto gap 8 (CodePipeline executions do not exist; builds never run).

On AWS a new pipeline starts its first execution by itself; each execution
takes the branch's head commit at the source stage and runs the CodeBuild
project of the build stage, whose phases and log lines (in the project's
CloudWatch Logs group) show while it runs. moto 5.2.1 implements neither
``StartPipelineExecution``, ``GetPipelineState``, ``ListPipelineExecutions``
nor ``GetPipelineExecution``, and its builds turn SUCCEEDED on the first read,
adding nine phases again on every read.

The correction keeps executions for each pipeline. The source stage succeeds
at once with a commit id derived from repository and branch (the same branch
head gives the same commit, as on AWS). The build stage starts a CodeBuild
build of the stage's project; since no Docker build runs here, the build stays
in its BUILD phase until the image it would push, ``tag-<commit>``, is in the
ECR repository of the project's ``ECR_REPOSITORY_URI`` (the test or the demo
pushes it, playing ``docker push``), then goes through POST_BUILD to
SUCCEEDED. Its log lines are written to the project's log group as the phases
advance. Everything advances when it is read, so no thread runs.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from typing import Any

NAME = "pipeline-executions"
ITEM = "8"
# Its answers carry epoch dates through pipeline-dates' conversion.
REQUIRES = ("pipeline-dates",)
SUMMARY = (
    "pipelines run executions (first one on create): source commit, a CodeBuild build with "
    "phases and log lines that succeeds once its image tag-<commit> is pushed"
)

_PHASES_BEFORE_BUILD = ["SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD"]
_PHASES_AFTER_BUILD = ["POST_BUILD", "UPLOAD_ARTIFACTS", "FINALIZING", "COMPLETED"]


def _executions(backend: Any) -> dict[str, list[dict[str, Any]]]:
    if not hasattr(backend, "_emulator_executions"):
        backend._emulator_executions = {}
    return backend._emulator_executions


def _source_config(pipeline: dict[str, Any]) -> dict[str, Any]:
    for stage in pipeline.get("stages", []):
        for action in stage.get("actions", []):
            if action.get("actionTypeId", {}).get("category") == "Source":
                return action.get("configuration", {}) or {}
    return {}


def _build_project(pipeline: dict[str, Any]) -> str | None:
    for stage in pipeline.get("stages", []):
        for action in stage.get("actions", []):
            if action.get("actionTypeId", {}).get("provider") == "CodeBuild":
                return (action.get("configuration") or {}).get("ProjectName")
    return None


def commit_for(pipeline: dict[str, Any]) -> str:
    """The branch head's commit id: fixed per repository and branch."""
    config = _source_config(pipeline)
    key = f"{config.get('FullRepositoryId', '')}@{config.get('BranchName', '')}"
    return hashlib.sha1(key.encode()).hexdigest()


def _codebuild(account_id: str, region: str) -> Any:
    from moto.codebuild.models import codebuild_backends

    return codebuild_backends[account_id][region]


def _write_log(account_id: str, region: str, build: dict[str, Any], lines: list[str]) -> None:
    from moto.logs.models import logs_backends

    group = build.get("logs", {}).get("groupName")
    stream = build.get("logs", {}).get("streamName")
    if not group or not stream:
        return
    logs = logs_backends[account_id][region]
    if group not in logs.groups:
        logs.create_log_group(group, {})
    if stream not in logs.groups[group].streams:
        logs.create_log_stream(group, stream)
    now = int(time.time() * 1000)
    logs.put_log_events(group, stream, [{"timestamp": now, "message": line} for line in lines])


def _phase(kind: str, status: str | None, now: float) -> dict[str, Any]:
    phase: dict[str, Any] = {"phaseType": kind, "startTime": now}
    if status:
        phase.update({"phaseStatus": status, "endTime": now, "durationInSeconds": 0})
    return phase


def _start_build(account_id: str, region: str, project_name: str, commit: str) -> dict[str, Any] | None:
    backend = _codebuild(account_id, region)
    project = backend.codebuild_projects.get(project_name)
    if project is None:
        return None
    build = backend.start_build(project_name, commit)
    now = time.time()
    build["_emulator_pipeline"] = True
    build["sourceVersion"] = commit
    build["resolvedSourceVersion"] = commit
    build["startTime"] = now
    build["buildStatus"] = "IN_PROGRESS"
    build["currentPhase"] = "BUILD"
    build["phases"] = [_phase(kind, "SUCCEEDED", now) for kind in _PHASES_BEFORE_BUILD] + [_phase("BUILD", None, now)]
    metadata = project.project_metadata
    environment = metadata.get("environment", {})
    build["environment"] = environment
    group = ((metadata.get("logsConfig") or {}).get("cloudWatchLogs") or {}).get("groupName")
    stream = build["id"].split(":", 1)[1]
    if group:
        build["logs"] = {"groupName": group, "streamName": stream}
    variables = {v.get("name"): v.get("value") for v in environment.get("environmentVariables", [])}
    build["_emulator_repository"] = str(variables.get("ECR_REPOSITORY_URI", "")).split("/", 1)[-1]
    build["_emulator_tag"] = f"tag-{commit}"
    _write_log(
        account_id,
        region,
        build,
        [
            "[Container] Running on CodeBuild",
            *[f"[Container] Phase complete: {kind} State: SUCCEEDED" for kind in _PHASES_BEFORE_BUILD[2:]],
            "[Container] Entering phase BUILD",
            f"Building image {build['_emulator_tag']} (docker build)",
        ],
    )
    return build


def _image_pushed(account_id: str, region: str, repository: str, tag: str) -> bool:
    from moto.ecr.models import ecr_backends

    repo = ecr_backends[account_id][region].repositories.get(repository)
    return repo is not None and any(tag in image.image_tags for image in repo.images)


def advance_build(account_id: str, region: str, build: dict[str, Any]) -> None:
    """Finish a build once its image is pushed (what docker push would have done)."""
    if build.get("buildStatus") != "IN_PROGRESS" or not build.get("_emulator_pipeline"):
        return
    if not _image_pushed(account_id, region, build["_emulator_repository"], build["_emulator_tag"]):
        return
    now = time.time()
    for phase in build["phases"]:
        if phase["phaseType"] == "BUILD":
            phase.update({"phaseStatus": "SUCCEEDED", "endTime": now, "durationInSeconds": int(now - phase["startTime"])})
    build["phases"] += [_phase(kind, "SUCCEEDED", now) for kind in _PHASES_AFTER_BUILD[:-1]] + [_phase("COMPLETED", None, now)]
    build["currentPhase"] = "COMPLETED"
    build["buildStatus"] = "SUCCEEDED"
    build["endTime"] = now
    _write_log(
        account_id,
        region,
        build,
        [
            f"Pushed image {build['_emulator_repository']}:{build['_emulator_tag']}",
            "[Container] Phase complete: BUILD State: SUCCEEDED",
            "[Container] Entering phase POST_BUILD",
            "[Container] Phase complete: POST_BUILD State: SUCCEEDED",
        ],
    )


def _advance(account_id: str, region: str, execution: dict[str, Any]) -> None:
    if execution["status"] != "InProgress":
        return
    build_id = execution.get("buildId")
    if not build_id:
        return
    build = _find_build(account_id, region, build_id)
    if build is None:
        return
    advance_build(account_id, region, build)
    status = build["buildStatus"]
    if status == "IN_PROGRESS":
        return
    execution["status"] = "Succeeded" if status == "SUCCEEDED" else "Failed"
    execution["buildStatus"] = "Succeeded" if status == "SUCCEEDED" else "Failed"
    execution["lastUpdateTime"] = time.time()


def _find_build(account_id: str, region: str, build_id: str) -> dict[str, Any] | None:
    for history in _codebuild(account_id, region).build_metadata_history.values():
        for build in history:
            if build["id"] == build_id:
                return build
    return None


def start_execution(backend: Any, name: str) -> dict[str, Any]:
    """Start an execution of pipeline ``name``: source at once, then the build."""
    pipeline = backend.pipelines[name].pipeline
    commit = commit_for(pipeline)
    now = time.time()
    execution: dict[str, Any] = {
        "pipelineExecutionId": str(uuid.uuid4()),
        "status": "InProgress",
        "startTime": now,
        "lastUpdateTime": now,
        "commit": commit,
        "buildStatus": "InProgress",
        "buildId": None,
    }
    project = _build_project(pipeline)
    if project:
        build = _start_build(backend.account_id, backend.region_name, project, commit)
        if build is not None:
            execution["buildId"] = build["id"]
        else:
            execution.update(status="Failed", buildStatus="Failed", statusSummary=f"CodeBuild project {project} does not exist")
    _executions(backend).setdefault(name, []).insert(0, execution)
    return execution


def _summary(execution: dict[str, Any]) -> dict[str, Any]:
    summary = {
        "pipelineExecutionId": execution["pipelineExecutionId"],
        "status": execution["status"],
        "startTime": execution["startTime"],
        "lastUpdateTime": execution["lastUpdateTime"],
        "sourceRevisions": [{"actionName": "Source", "revisionId": execution["commit"]}],
        "trigger": {"triggerType": "StartPipelineExecution"},
    }
    if execution.get("statusSummary"):
        summary["statusSummary"] = execution["statusSummary"]
    return summary


def apply() -> None:
    from moto.codebuild.models import CodeBuildBackend
    from moto.codebuild.responses import CodeBuildResponse
    from moto.codepipeline.exceptions import PipelineNotFoundException
    from moto.codepipeline.models import CodePipelineBackend
    from moto.codepipeline.responses import CodePipelineResponse

    def pipeline_or_raise(backend: Any, name: str) -> Any:
        if name not in backend.pipelines:
            raise PipelineNotFoundException(
                f"Account '{backend.account_id}' does not have a pipeline with name '{name}'"
            )
        return backend.pipelines[name]

    def advanced(backend: Any, name: str) -> list[dict[str, Any]]:
        executions = _executions(backend).get(name, [])
        for execution in executions:
            _advance(backend.account_id, backend.region_name, execution)
        return executions

    original_create = CodePipelineBackend.create_pipeline

    def create_pipeline(self: Any, pipeline: dict[str, Any], tags: Any) -> Any:
        result = original_create(self, pipeline, tags)
        # "When you create a pipeline, it starts running automatically" (CodePipeline user guide).
        start_execution(self, pipeline["name"])
        return result

    original_delete = CodePipelineBackend.delete_pipeline

    def delete_pipeline(self: Any, name: str) -> None:
        _executions(self).pop(name, None)
        original_delete(self, name)

    def start_pipeline_execution(self: Any) -> str:
        backend = self.codepipeline_backend
        name = self._get_param("name")
        pipeline_or_raise(backend, name)
        return json.dumps({"pipelineExecutionId": start_execution(backend, name)["pipelineExecutionId"]})

    def list_pipeline_executions(self: Any) -> str:
        backend = self.codepipeline_backend
        name = self._get_param("pipelineName")
        pipeline_or_raise(backend, name)
        limit = int(self._get_param("maxResults") or 100)
        return json.dumps({"pipelineExecutionSummaries": [_summary(e) for e in advanced(backend, name)[:limit]]})

    def get_pipeline_execution(self: Any) -> str:
        backend = self.codepipeline_backend
        name = self._get_param("pipelineName")
        pipeline = pipeline_or_raise(backend, name)
        wanted = self._get_param("pipelineExecutionId")
        for execution in advanced(backend, name):
            if execution["pipelineExecutionId"] == wanted:
                return json.dumps(
                    {
                        "pipelineExecution": {
                            "pipelineName": name,
                            "pipelineVersion": pipeline.pipeline.get("version", 1),
                            "pipelineExecutionId": wanted,
                            "status": execution["status"],
                            "artifactRevisions": [{"name": "SourceOutput", "revisionId": execution["commit"]}],
                        }
                    }
                )
        from moto.core.exceptions import JsonRESTError

        raise JsonRESTError("PipelineExecutionNotFoundException", f"Pipeline execution {wanted} not found")

    def get_pipeline_state(self: Any) -> str:
        backend = self.codepipeline_backend
        name = self._get_param("name")
        pipeline = pipeline_or_raise(backend, name)
        executions = advanced(backend, name)
        latest = executions[0] if executions else None
        stages = []
        for stage in pipeline.pipeline.get("stages", []):
            actions = []
            stage_status = None
            for action in stage.get("actions", []):
                state: dict[str, Any] = {"actionName": action["name"]}
                if latest:
                    is_source = action.get("actionTypeId", {}).get("category") == "Source"
                    status = "Succeeded" if is_source else latest["buildStatus"]
                    run: dict[str, Any] = {"status": status, "lastStatusChange": latest["lastUpdateTime"]}
                    if is_source:
                        # ActionRevision requires all three members (CodePipeline API
                        # reference, ActionRevision): the change is the commit itself.
                        state["currentRevision"] = {
                            "revisionId": latest["commit"],
                            "revisionChangeId": latest["commit"],
                            "created": latest["startTime"],
                        }
                    elif latest.get("buildId"):
                        run["externalExecutionId"] = latest["buildId"]
                    if latest.get("statusSummary") and not is_source:
                        run["summary"] = latest["statusSummary"]
                    state["latestExecution"] = run
                    stage_status = status if stage_status in (None, "Succeeded") else stage_status
                actions.append(state)
            entry: dict[str, Any] = {"stageName": stage["name"], "inboundTransitionState": {"enabled": True}, "actionStates": actions}
            if latest and stage_status:
                entry["latestExecution"] = {"pipelineExecutionId": latest["pipelineExecutionId"], "status": stage_status}
            stages.append(entry)
        metadata = pipeline.metadata
        return json.dumps(
            {
                "pipelineName": name,
                "pipelineVersion": pipeline.pipeline.get("version", 1),
                "stageStates": stages,
                "created": _epoch(metadata.get("created")),
                "updated": _epoch(metadata.get("updated")),
            }
        )

    original_batch_get_builds = CodeBuildBackend.batch_get_builds

    def batch_get_builds(self: Any, ids: list[str]) -> list[dict[str, Any]]:
        ours = []
        others = []
        for build_id in ids:
            build = _find_build(self.account_id, self.region_name, build_id)
            if build is not None and build.get("_emulator_pipeline"):
                advance_build(self.account_id, self.region_name, build)
                ours.append({k: v for k, v in build.items() if not k.startswith("_emulator")})
            else:
                others.append(build_id)
        return ours + (original_batch_get_builds(self, others) if others else [])

    original_list_builds = CodeBuildResponse.list_builds_for_project

    def list_builds_for_project(self: Any) -> str:
        answer = json.loads(original_list_builds(self))
        # moto lists oldest first whatever sortOrder says; AWS sorts by it.
        if self._get_param("sortOrder") != "ASCENDING":
            answer["ids"] = list(reversed(answer.get("ids", [])))
        return json.dumps(answer)

    CodePipelineBackend.create_pipeline = create_pipeline  # type: ignore[method-assign]
    CodePipelineBackend.delete_pipeline = delete_pipeline  # type: ignore[method-assign]
    CodePipelineResponse.start_pipeline_execution = start_pipeline_execution  # type: ignore[attr-defined]
    CodePipelineResponse.list_pipeline_executions = list_pipeline_executions  # type: ignore[attr-defined]
    CodePipelineResponse.get_pipeline_execution = get_pipeline_execution  # type: ignore[attr-defined]
    CodePipelineResponse.get_pipeline_state = get_pipeline_state  # type: ignore[attr-defined]
    CodeBuildBackend.batch_get_builds = batch_get_builds  # type: ignore[method-assign]
    CodeBuildResponse.list_builds_for_project = list_builds_for_project  # type: ignore[method-assign]


def _epoch(value: Any) -> Any:
    from .pipeline_dates import to_epoch

    return to_epoch(value) if isinstance(value, str) else value
