/**
 * The interfaces of `interfaces.ts` implemented with the AWS SDK v3: one class
 * per interface, one `client.send` per method, every failure through
 * `translateAwsError` so callers only ever see typed mlops errors.
 */
import * as acm from "@aws-sdk/client-acm";
import * as cfn from "@aws-sdk/client-cloudformation";
import * as logs from "@aws-sdk/client-cloudwatch-logs";
import * as cb from "@aws-sdk/client-codebuild";
import * as cp from "@aws-sdk/client-codepipeline";
import * as csc from "@aws-sdk/client-codestar-connections";
import * as ec2 from "@aws-sdk/client-ec2";
import * as ecr from "@aws-sdk/client-ecr";
import * as ecs from "@aws-sdk/client-ecs";
import * as efs from "@aws-sdk/client-efs";
import * as elb from "@aws-sdk/client-elastic-load-balancing-v2";
import * as s3 from "@aws-sdk/client-s3";
import * as ssm from "@aws-sdk/client-ssm";
import * as sts from "@aws-sdk/client-sts";
import { InterruptedError } from "../errors.js";
import { translateAwsError } from "./error-translator.js";
import type {
  AcmApi,
  CloudFormationApi,
  CodeBuildApi,
  CodePipelineApi,
  ConnectionsApi,
  Ec2Api,
  EcrApi,
  EcsApi,
  EfsApi,
  ElbApi,
  LogsApi,
  S3Api,
  SsmApi,
  StsApi,
} from "./interfaces.js";

/** Settings every adapter knows, so errors can name the endpoint and the profile. */
export interface AdapterContext {
  region: string;
  profile?: string;
  endpointUrl?: string;
  /** Ctrl-C: ends the request in flight and any backoff at once. */
  signal?: AbortSignal;
  /** The retry policy's limits, for the messages of errors that outlasted them. */
  retryBudgetMs?: number;
  requestTimeoutMs?: number;
}

/** Runs one SDK call and translates its failure. */
abstract class Adapter {
  constructor(
    private readonly context: AdapterContext,
    private readonly service: string,
  ) {}

  protected async call<T>(operation: string, send: (options: { abortSignal?: AbortSignal }) => Promise<T>): Promise<T> {
    const signal = this.context.signal;
    if (signal?.aborted) throw new InterruptedError(`Interrupted before ${this.service} ${operation}.`);
    try {
      return await send({ abortSignal: signal });
    } catch (error) {
      if (signal?.aborted) throw new InterruptedError(`Interrupted during ${this.service} ${operation}.`);
      throw translateAwsError(error, { ...this.context, service: this.service, operation });
    }
  }
}

/** CloudFormation through the SDK. */
export class SdkCloudFormation extends Adapter implements CloudFormationApi {
  constructor(private readonly client: cfn.CloudFormationClient, context: AdapterContext) {
    super(context, "CloudFormation");
  }
  describeStacks(input: cfn.DescribeStacksInput) {
    return this.call("DescribeStacks", (options) => this.client.send(new cfn.DescribeStacksCommand(input), options));
  }
  createChangeSet(input: cfn.CreateChangeSetInput) {
    return this.call("CreateChangeSet", (options) => this.client.send(new cfn.CreateChangeSetCommand(input), options));
  }
  describeChangeSet(input: cfn.DescribeChangeSetInput) {
    return this.call("DescribeChangeSet", (options) => this.client.send(new cfn.DescribeChangeSetCommand(input), options));
  }
  executeChangeSet(input: cfn.ExecuteChangeSetInput) {
    return this.call("ExecuteChangeSet", (options) => this.client.send(new cfn.ExecuteChangeSetCommand(input), options));
  }
  deleteChangeSet(input: cfn.DeleteChangeSetInput) {
    return this.call("DeleteChangeSet", (options) => this.client.send(new cfn.DeleteChangeSetCommand(input), options));
  }
  deleteStack(input: cfn.DeleteStackInput) {
    return this.call("DeleteStack", (options) => this.client.send(new cfn.DeleteStackCommand(input), options));
  }
  describeStackEvents(input: cfn.DescribeStackEventsInput) {
    return this.call("DescribeStackEvents", (options) => this.client.send(new cfn.DescribeStackEventsCommand(input), options));
  }
  listStackResources(input: cfn.ListStackResourcesInput) {
    return this.call("ListStackResources", (options) => this.client.send(new cfn.ListStackResourcesCommand(input), options));
  }
  listExports(input: cfn.ListExportsInput) {
    return this.call("ListExports", (options) => this.client.send(new cfn.ListExportsCommand(input), options));
  }
  listImports(input: cfn.ListImportsInput) {
    return this.call("ListImports", (options) => this.client.send(new cfn.ListImportsCommand(input), options));
  }
  continueUpdateRollback(input: cfn.ContinueUpdateRollbackInput) {
    return this.call("ContinueUpdateRollback", (options) => this.client.send(new cfn.ContinueUpdateRollbackCommand(input), options));
  }
  getTemplate(input: cfn.GetTemplateInput) {
    return this.call("GetTemplate", (options) => this.client.send(new cfn.GetTemplateCommand(input), options));
  }
}

/** EC2 through the SDK. */
export class SdkEc2 extends Adapter implements Ec2Api {
  constructor(private readonly client: ec2.EC2Client, context: AdapterContext) {
    super(context, "EC2");
  }
  describeSecurityGroups(input: ec2.DescribeSecurityGroupsRequest) {
    return this.call("DescribeSecurityGroups", (options) => this.client.send(new ec2.DescribeSecurityGroupsCommand(input), options));
  }
  authorizeSecurityGroupIngress(input: ec2.AuthorizeSecurityGroupIngressRequest) {
    return this.call("AuthorizeSecurityGroupIngress", (options) => this.client.send(new ec2.AuthorizeSecurityGroupIngressCommand(input), options));
  }
  revokeSecurityGroupIngress(input: ec2.RevokeSecurityGroupIngressRequest) {
    return this.call("RevokeSecurityGroupIngress", (options) => this.client.send(new ec2.RevokeSecurityGroupIngressCommand(input), options));
  }
}

/** ECS through the SDK. */
export class SdkEcs extends Adapter implements EcsApi {
  constructor(private readonly client: ecs.ECSClient, context: AdapterContext) {
    super(context, "ECS");
  }
  describeServices(input: ecs.DescribeServicesRequest) {
    return this.call("DescribeServices", (options) => this.client.send(new ecs.DescribeServicesCommand(input), options));
  }
  listTasks(input: ecs.ListTasksRequest) {
    return this.call("ListTasks", (options) => this.client.send(new ecs.ListTasksCommand(input), options));
  }
  describeTasks(input: ecs.DescribeTasksRequest) {
    return this.call("DescribeTasks", (options) => this.client.send(new ecs.DescribeTasksCommand(input), options));
  }
}

/** Elastic Load Balancing v2 through the SDK. */
export class SdkElb extends Adapter implements ElbApi {
  constructor(private readonly client: elb.ElasticLoadBalancingV2Client, context: AdapterContext) {
    super(context, "Elastic Load Balancing");
  }
  describeRules(input: elb.DescribeRulesInput) {
    return this.call("DescribeRules", (options) => this.client.send(new elb.DescribeRulesCommand(input), options));
  }
  describeTargetHealth(input: elb.DescribeTargetHealthInput) {
    return this.call("DescribeTargetHealth", (options) => this.client.send(new elb.DescribeTargetHealthCommand(input), options));
  }
  describeListenerCertificates(input: elb.DescribeListenerCertificatesInput) {
    return this.call("DescribeListenerCertificates", (options) => this.client.send(new elb.DescribeListenerCertificatesCommand(input), options));
  }
  addListenerCertificates(input: elb.AddListenerCertificatesInput) {
    return this.call("AddListenerCertificates", (options) => this.client.send(new elb.AddListenerCertificatesCommand(input), options));
  }
  removeListenerCertificates(input: elb.RemoveListenerCertificatesInput) {
    return this.call("RemoveListenerCertificates", (options) => this.client.send(new elb.RemoveListenerCertificatesCommand(input), options));
  }
}

/** ECR through the SDK. */
export class SdkEcr extends Adapter implements EcrApi {
  constructor(private readonly client: ecr.ECRClient, context: AdapterContext) {
    super(context, "ECR");
  }
  describeImages(input: ecr.DescribeImagesRequest) {
    return this.call("DescribeImages", (options) => this.client.send(new ecr.DescribeImagesCommand(input), options));
  }
  describeRepositories(input: ecr.DescribeRepositoriesRequest) {
    return this.call("DescribeRepositories", () => this.client.send(new ecr.DescribeRepositoriesCommand(input)));
  }
  listImages(input: ecr.ListImagesRequest) {
    return this.call("ListImages", (options) => this.client.send(new ecr.ListImagesCommand(input), options));
  }
  batchDeleteImage(input: ecr.BatchDeleteImageRequest) {
    return this.call("BatchDeleteImage", (options) => this.client.send(new ecr.BatchDeleteImageCommand(input), options));
  }
}

/** ACM through the SDK. */
export class SdkAcm extends Adapter implements AcmApi {
  constructor(private readonly client: acm.ACMClient, context: AdapterContext) {
    super(context, "ACM");
  }
  listCertificates(input: acm.ListCertificatesRequest) {
    return this.call("ListCertificates", (options) => this.client.send(new acm.ListCertificatesCommand(input), options));
  }
  describeCertificate(input: acm.DescribeCertificateRequest) {
    return this.call("DescribeCertificate", (options) => this.client.send(new acm.DescribeCertificateCommand(input), options));
  }
  requestCertificate(input: acm.RequestCertificateRequest) {
    return this.call("RequestCertificate", (options) => this.client.send(new acm.RequestCertificateCommand(input), options));
  }
  listTagsForCertificate(input: acm.ListTagsForCertificateRequest) {
    return this.call("ListTagsForCertificate", () => this.client.send(new acm.ListTagsForCertificateCommand(input)));
  }
  async deleteCertificate(input: acm.DeleteCertificateRequest): Promise<void> {
    await this.call("DeleteCertificate", () => this.client.send(new acm.DeleteCertificateCommand(input)));
  }
}

/** CloudWatch Logs through the SDK. */
export class SdkLogs extends Adapter implements LogsApi {
  constructor(private readonly client: logs.CloudWatchLogsClient, context: AdapterContext) {
    super(context, "CloudWatch Logs");
  }
  describeLogStreams(input: logs.DescribeLogStreamsRequest) {
    return this.call("DescribeLogStreams", (options) => this.client.send(new logs.DescribeLogStreamsCommand(input), options));
  }
  getLogEvents(input: logs.GetLogEventsRequest) {
    return this.call("GetLogEvents", (options) => this.client.send(new logs.GetLogEventsCommand(input), options));
  }
  describeLogGroups(input: logs.DescribeLogGroupsRequest) {
    return this.call("DescribeLogGroups", (options) => this.client.send(new logs.DescribeLogGroupsCommand(input), options));
  }
  deleteLogGroup(input: logs.DeleteLogGroupRequest) {
    return this.call("DeleteLogGroup", (options) => this.client.send(new logs.DeleteLogGroupCommand(input), options));
  }
}

/** S3 through the SDK. */
export class SdkS3 extends Adapter implements S3Api {
  constructor(private readonly client: s3.S3Client, context: AdapterContext) {
    super(context, "S3");
  }
  listObjectVersions(input: s3.ListObjectVersionsRequest) {
    return this.call("ListObjectVersions", (options) => this.client.send(new s3.ListObjectVersionsCommand(input), options));
  }
  deleteObjects(input: s3.DeleteObjectsRequest) {
    return this.call("DeleteObjects", (options) => this.client.send(new s3.DeleteObjectsCommand(input), options));
  }
}

/** CodeBuild through the SDK. */
export class SdkCodeBuild extends Adapter implements CodeBuildApi {
  constructor(private readonly client: cb.CodeBuildClient, context: AdapterContext) {
    super(context, "CodeBuild");
  }
  createProject(input: cb.CreateProjectInput) {
    return this.call("CreateProject", (options) => this.client.send(new cb.CreateProjectCommand(input), options));
  }
  updateProject(input: cb.UpdateProjectInput) {
    return this.call("UpdateProject", (options) => this.client.send(new cb.UpdateProjectCommand(input), options));
  }
  batchGetProjects(input: cb.BatchGetProjectsInput) {
    return this.call("BatchGetProjects", (options) => this.client.send(new cb.BatchGetProjectsCommand(input), options));
  }
  deleteProject(input: cb.DeleteProjectInput) {
    return this.call("DeleteProject", (options) => this.client.send(new cb.DeleteProjectCommand(input), options));
  }
  listBuildsForProject(input: cb.ListBuildsForProjectInput) {
    return this.call("ListBuildsForProject", (options) => this.client.send(new cb.ListBuildsForProjectCommand(input), options));
  }
  batchGetBuilds(input: cb.BatchGetBuildsInput) {
    return this.call("BatchGetBuilds", (options) => this.client.send(new cb.BatchGetBuildsCommand(input), options));
  }
  stopBuild(input: cb.StopBuildInput) {
    return this.call("StopBuild", (options) => this.client.send(new cb.StopBuildCommand(input), options));
  }
}

/** CodePipeline through the SDK. */
export class SdkCodePipeline extends Adapter implements CodePipelineApi {
  constructor(private readonly client: cp.CodePipelineClient, context: AdapterContext) {
    super(context, "CodePipeline");
  }
  createPipeline(input: cp.CreatePipelineInput) {
    return this.call("CreatePipeline", (options) => this.client.send(new cp.CreatePipelineCommand(input), options));
  }
  updatePipeline(input: cp.UpdatePipelineInput) {
    return this.call("UpdatePipeline", (options) => this.client.send(new cp.UpdatePipelineCommand(input), options));
  }
  getPipeline(input: cp.GetPipelineInput) {
    return this.call("GetPipeline", (options) => this.client.send(new cp.GetPipelineCommand(input), options));
  }
  async deletePipeline(input: cp.DeletePipelineInput): Promise<void> {
    await this.call("DeletePipeline", (options) => this.client.send(new cp.DeletePipelineCommand(input), options));
  }
  listPipelineExecutions(input: cp.ListPipelineExecutionsInput) {
    return this.call("ListPipelineExecutions", (options) => this.client.send(new cp.ListPipelineExecutionsCommand(input), options));
  }
  getPipelineExecution(input: cp.GetPipelineExecutionInput) {
    return this.call("GetPipelineExecution", (options) => this.client.send(new cp.GetPipelineExecutionCommand(input), options));
  }
  startPipelineExecution(input: cp.StartPipelineExecutionInput) {
    return this.call("StartPipelineExecution", (options) => this.client.send(new cp.StartPipelineExecutionCommand(input), options));
  }
}

/** CodeStar Connections through the SDK. */
export class SdkConnections extends Adapter implements ConnectionsApi {
  constructor(private readonly client: csc.CodeStarConnectionsClient, context: AdapterContext) {
    super(context, "CodeStar Connections");
  }
  getConnection(input: csc.GetConnectionInput) {
    return this.call("GetConnection", (options) => this.client.send(new csc.GetConnectionCommand(input), options));
  }
}

/** EFS through the SDK. */
export class SdkEfs extends Adapter implements EfsApi {
  constructor(private readonly client: efs.EFSClient, context: AdapterContext) {
    super(context, "EFS");
  }
  describeFileSystems(input: efs.DescribeFileSystemsRequest) {
    return this.call("DescribeFileSystems", (options) => this.client.send(new efs.DescribeFileSystemsCommand(input), options));
  }
  describeMountTargets(input: efs.DescribeMountTargetsRequest) {
    return this.call("DescribeMountTargets", (options) => this.client.send(new efs.DescribeMountTargetsCommand(input), options));
  }
  async deleteFileSystem(input: efs.DeleteFileSystemRequest): Promise<void> {
    await this.call("DeleteFileSystem", (options) => this.client.send(new efs.DeleteFileSystemCommand(input), options));
  }
  async deleteMountTarget(input: efs.DeleteMountTargetRequest): Promise<void> {
    await this.call("DeleteMountTarget", () => this.client.send(new efs.DeleteMountTargetCommand(input)));
  }
}

/** STS through the SDK. */
export class SdkSts extends Adapter implements StsApi {
  constructor(private readonly client: sts.STSClient, context: AdapterContext) {
    super(context, "STS");
  }
  getCallerIdentity(input: sts.GetCallerIdentityRequest) {
    return this.call("GetCallerIdentity", (options) => this.client.send(new sts.GetCallerIdentityCommand(input), options));
  }
}

/** SSM Parameter Store through the SDK. */
export class SdkSsm extends Adapter implements SsmApi {
  constructor(private readonly client: ssm.SSMClient, context: AdapterContext) {
    super(context, "SSM");
  }
  putParameter(input: ssm.PutParameterRequest) {
    return this.call("PutParameter", (options) => this.client.send(new ssm.PutParameterCommand(input), options));
  }
  getParametersByPath(input: ssm.GetParametersByPathRequest) {
    return this.call("GetParametersByPath", (options) => this.client.send(new ssm.GetParametersByPathCommand(input), options));
  }
  deleteParameter(input: ssm.DeleteParameterRequest) {
    return this.call("DeleteParameter", (options) => this.client.send(new ssm.DeleteParameterCommand(input), options));
  }
}
