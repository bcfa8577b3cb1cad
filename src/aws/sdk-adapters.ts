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
}

/** Runs one SDK call and translates its failure. */
abstract class Adapter {
  constructor(
    private readonly context: AdapterContext,
    private readonly service: string,
  ) {}

  protected async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
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
    return this.call("DescribeStacks", () => this.client.send(new cfn.DescribeStacksCommand(input)));
  }
  createChangeSet(input: cfn.CreateChangeSetInput) {
    return this.call("CreateChangeSet", () => this.client.send(new cfn.CreateChangeSetCommand(input)));
  }
  describeChangeSet(input: cfn.DescribeChangeSetInput) {
    return this.call("DescribeChangeSet", () => this.client.send(new cfn.DescribeChangeSetCommand(input)));
  }
  executeChangeSet(input: cfn.ExecuteChangeSetInput) {
    return this.call("ExecuteChangeSet", () => this.client.send(new cfn.ExecuteChangeSetCommand(input)));
  }
  deleteChangeSet(input: cfn.DeleteChangeSetInput) {
    return this.call("DeleteChangeSet", () => this.client.send(new cfn.DeleteChangeSetCommand(input)));
  }
  deleteStack(input: cfn.DeleteStackInput) {
    return this.call("DeleteStack", () => this.client.send(new cfn.DeleteStackCommand(input)));
  }
  describeStackEvents(input: cfn.DescribeStackEventsInput) {
    return this.call("DescribeStackEvents", () => this.client.send(new cfn.DescribeStackEventsCommand(input)));
  }
  listStackResources(input: cfn.ListStackResourcesInput) {
    return this.call("ListStackResources", () => this.client.send(new cfn.ListStackResourcesCommand(input)));
  }
  listExports(input: cfn.ListExportsInput) {
    return this.call("ListExports", () => this.client.send(new cfn.ListExportsCommand(input)));
  }
  listImports(input: cfn.ListImportsInput) {
    return this.call("ListImports", () => this.client.send(new cfn.ListImportsCommand(input)));
  }
  continueUpdateRollback(input: cfn.ContinueUpdateRollbackInput) {
    return this.call("ContinueUpdateRollback", () => this.client.send(new cfn.ContinueUpdateRollbackCommand(input)));
  }
  getTemplate(input: cfn.GetTemplateInput) {
    return this.call("GetTemplate", () => this.client.send(new cfn.GetTemplateCommand(input)));
  }
}

/** EC2 through the SDK. */
export class SdkEc2 extends Adapter implements Ec2Api {
  constructor(private readonly client: ec2.EC2Client, context: AdapterContext) {
    super(context, "EC2");
  }
  describeSecurityGroups(input: ec2.DescribeSecurityGroupsRequest) {
    return this.call("DescribeSecurityGroups", () => this.client.send(new ec2.DescribeSecurityGroupsCommand(input)));
  }
  authorizeSecurityGroupIngress(input: ec2.AuthorizeSecurityGroupIngressRequest) {
    return this.call("AuthorizeSecurityGroupIngress", () => this.client.send(new ec2.AuthorizeSecurityGroupIngressCommand(input)));
  }
  revokeSecurityGroupIngress(input: ec2.RevokeSecurityGroupIngressRequest) {
    return this.call("RevokeSecurityGroupIngress", () => this.client.send(new ec2.RevokeSecurityGroupIngressCommand(input)));
  }
}

/** ECS through the SDK. */
export class SdkEcs extends Adapter implements EcsApi {
  constructor(private readonly client: ecs.ECSClient, context: AdapterContext) {
    super(context, "ECS");
  }
  describeServices(input: ecs.DescribeServicesRequest) {
    return this.call("DescribeServices", () => this.client.send(new ecs.DescribeServicesCommand(input)));
  }
  listTasks(input: ecs.ListTasksRequest) {
    return this.call("ListTasks", () => this.client.send(new ecs.ListTasksCommand(input)));
  }
  describeTasks(input: ecs.DescribeTasksRequest) {
    return this.call("DescribeTasks", () => this.client.send(new ecs.DescribeTasksCommand(input)));
  }
}

/** Elastic Load Balancing v2 through the SDK. */
export class SdkElb extends Adapter implements ElbApi {
  constructor(private readonly client: elb.ElasticLoadBalancingV2Client, context: AdapterContext) {
    super(context, "Elastic Load Balancing");
  }
  describeRules(input: elb.DescribeRulesInput) {
    return this.call("DescribeRules", () => this.client.send(new elb.DescribeRulesCommand(input)));
  }
  describeTargetHealth(input: elb.DescribeTargetHealthInput) {
    return this.call("DescribeTargetHealth", () => this.client.send(new elb.DescribeTargetHealthCommand(input)));
  }
  describeListenerCertificates(input: elb.DescribeListenerCertificatesInput) {
    return this.call("DescribeListenerCertificates", () => this.client.send(new elb.DescribeListenerCertificatesCommand(input)));
  }
  addListenerCertificates(input: elb.AddListenerCertificatesInput) {
    return this.call("AddListenerCertificates", () => this.client.send(new elb.AddListenerCertificatesCommand(input)));
  }
  removeListenerCertificates(input: elb.RemoveListenerCertificatesInput) {
    return this.call("RemoveListenerCertificates", () => this.client.send(new elb.RemoveListenerCertificatesCommand(input)));
  }
}

/** ECR through the SDK. */
export class SdkEcr extends Adapter implements EcrApi {
  constructor(private readonly client: ecr.ECRClient, context: AdapterContext) {
    super(context, "ECR");
  }
  describeImages(input: ecr.DescribeImagesRequest) {
    return this.call("DescribeImages", () => this.client.send(new ecr.DescribeImagesCommand(input)));
  }
  describeRepositories(input: ecr.DescribeRepositoriesRequest) {
    return this.call("DescribeRepositories", () => this.client.send(new ecr.DescribeRepositoriesCommand(input)));
  }
  listImages(input: ecr.ListImagesRequest) {
    return this.call("ListImages", () => this.client.send(new ecr.ListImagesCommand(input)));
  }
  batchDeleteImage(input: ecr.BatchDeleteImageRequest) {
    return this.call("BatchDeleteImage", () => this.client.send(new ecr.BatchDeleteImageCommand(input)));
  }
}

/** ACM through the SDK. */
export class SdkAcm extends Adapter implements AcmApi {
  constructor(private readonly client: acm.ACMClient, context: AdapterContext) {
    super(context, "ACM");
  }
  listCertificates(input: acm.ListCertificatesRequest) {
    return this.call("ListCertificates", () => this.client.send(new acm.ListCertificatesCommand(input)));
  }
  describeCertificate(input: acm.DescribeCertificateRequest) {
    return this.call("DescribeCertificate", () => this.client.send(new acm.DescribeCertificateCommand(input)));
  }
  requestCertificate(input: acm.RequestCertificateRequest) {
    return this.call("RequestCertificate", () => this.client.send(new acm.RequestCertificateCommand(input)));
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
    return this.call("DescribeLogStreams", () => this.client.send(new logs.DescribeLogStreamsCommand(input)));
  }
  getLogEvents(input: logs.GetLogEventsRequest) {
    return this.call("GetLogEvents", () => this.client.send(new logs.GetLogEventsCommand(input)));
  }
  describeLogGroups(input: logs.DescribeLogGroupsRequest) {
    return this.call("DescribeLogGroups", () => this.client.send(new logs.DescribeLogGroupsCommand(input)));
  }
  deleteLogGroup(input: logs.DeleteLogGroupRequest) {
    return this.call("DeleteLogGroup", () => this.client.send(new logs.DeleteLogGroupCommand(input)));
  }
}

/** S3 through the SDK. */
export class SdkS3 extends Adapter implements S3Api {
  constructor(private readonly client: s3.S3Client, context: AdapterContext) {
    super(context, "S3");
  }
  listObjectVersions(input: s3.ListObjectVersionsRequest) {
    return this.call("ListObjectVersions", () => this.client.send(new s3.ListObjectVersionsCommand(input)));
  }
  deleteObjects(input: s3.DeleteObjectsRequest) {
    return this.call("DeleteObjects", () => this.client.send(new s3.DeleteObjectsCommand(input)));
  }
}

/** CodeBuild through the SDK. */
export class SdkCodeBuild extends Adapter implements CodeBuildApi {
  constructor(private readonly client: cb.CodeBuildClient, context: AdapterContext) {
    super(context, "CodeBuild");
  }
  createProject(input: cb.CreateProjectInput) {
    return this.call("CreateProject", () => this.client.send(new cb.CreateProjectCommand(input)));
  }
  updateProject(input: cb.UpdateProjectInput) {
    return this.call("UpdateProject", () => this.client.send(new cb.UpdateProjectCommand(input)));
  }
  batchGetProjects(input: cb.BatchGetProjectsInput) {
    return this.call("BatchGetProjects", () => this.client.send(new cb.BatchGetProjectsCommand(input)));
  }
  deleteProject(input: cb.DeleteProjectInput) {
    return this.call("DeleteProject", () => this.client.send(new cb.DeleteProjectCommand(input)));
  }
  listBuildsForProject(input: cb.ListBuildsForProjectInput) {
    return this.call("ListBuildsForProject", () => this.client.send(new cb.ListBuildsForProjectCommand(input)));
  }
  batchGetBuilds(input: cb.BatchGetBuildsInput) {
    return this.call("BatchGetBuilds", () => this.client.send(new cb.BatchGetBuildsCommand(input)));
  }
  stopBuild(input: cb.StopBuildInput) {
    return this.call("StopBuild", () => this.client.send(new cb.StopBuildCommand(input)));
  }
}

/** CodePipeline through the SDK. */
export class SdkCodePipeline extends Adapter implements CodePipelineApi {
  constructor(private readonly client: cp.CodePipelineClient, context: AdapterContext) {
    super(context, "CodePipeline");
  }
  createPipeline(input: cp.CreatePipelineInput) {
    return this.call("CreatePipeline", () => this.client.send(new cp.CreatePipelineCommand(input)));
  }
  updatePipeline(input: cp.UpdatePipelineInput) {
    return this.call("UpdatePipeline", () => this.client.send(new cp.UpdatePipelineCommand(input)));
  }
  getPipeline(input: cp.GetPipelineInput) {
    return this.call("GetPipeline", () => this.client.send(new cp.GetPipelineCommand(input)));
  }
  async deletePipeline(input: cp.DeletePipelineInput): Promise<void> {
    await this.call("DeletePipeline", () => this.client.send(new cp.DeletePipelineCommand(input)));
  }
  listPipelineExecutions(input: cp.ListPipelineExecutionsInput) {
    return this.call("ListPipelineExecutions", () => this.client.send(new cp.ListPipelineExecutionsCommand(input)));
  }
  getPipelineExecution(input: cp.GetPipelineExecutionInput) {
    return this.call("GetPipelineExecution", () => this.client.send(new cp.GetPipelineExecutionCommand(input)));
  }
  startPipelineExecution(input: cp.StartPipelineExecutionInput) {
    return this.call("StartPipelineExecution", () => this.client.send(new cp.StartPipelineExecutionCommand(input)));
  }
}

/** CodeStar Connections through the SDK. */
export class SdkConnections extends Adapter implements ConnectionsApi {
  constructor(private readonly client: csc.CodeStarConnectionsClient, context: AdapterContext) {
    super(context, "CodeStar Connections");
  }
  getConnection(input: csc.GetConnectionInput) {
    return this.call("GetConnection", () => this.client.send(new csc.GetConnectionCommand(input)));
  }
}

/** EFS through the SDK. */
export class SdkEfs extends Adapter implements EfsApi {
  constructor(private readonly client: efs.EFSClient, context: AdapterContext) {
    super(context, "EFS");
  }
  describeFileSystems(input: efs.DescribeFileSystemsRequest) {
    return this.call("DescribeFileSystems", () => this.client.send(new efs.DescribeFileSystemsCommand(input)));
  }
  describeMountTargets(input: efs.DescribeMountTargetsRequest) {
    return this.call("DescribeMountTargets", () => this.client.send(new efs.DescribeMountTargetsCommand(input)));
  }
  async deleteFileSystem(input: efs.DeleteFileSystemRequest): Promise<void> {
    await this.call("DeleteFileSystem", () => this.client.send(new efs.DeleteFileSystemCommand(input)));
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
    return this.call("GetCallerIdentity", () => this.client.send(new sts.GetCallerIdentityCommand(input)));
  }
}

/** SSM Parameter Store through the SDK. */
export class SdkSsm extends Adapter implements SsmApi {
  constructor(private readonly client: ssm.SSMClient, context: AdapterContext) {
    super(context, "SSM");
  }
  putParameter(input: ssm.PutParameterRequest) {
    return this.call("PutParameter", () => this.client.send(new ssm.PutParameterCommand(input)));
  }
  getParametersByPath(input: ssm.GetParametersByPathRequest) {
    return this.call("GetParametersByPath", () => this.client.send(new ssm.GetParametersByPathCommand(input)));
  }
  deleteParameter(input: ssm.DeleteParameterRequest) {
    return this.call("DeleteParameter", () => this.client.send(new ssm.DeleteParameterCommand(input)));
  }
}
