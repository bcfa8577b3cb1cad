/**
 * Narrow AWS client interfaces: one method per API call mlops makes, with the
 * SDK's own input and output types. Steps depend on these, never on the SDK
 * clients, so tests can put a stateful fake behind the same interface.
 *
 * Every method rejects with an `AwsError` (from `src/errors.ts`) whose `code`
 * is the service's error code (e.g. `ValidationError`) and whose message is
 * AWS's own; credential problems reject with `CredentialsError`.
 */
import type * as cfn from "@aws-sdk/client-cloudformation";
import type * as ec2 from "@aws-sdk/client-ec2";
import type * as cloudwatch from "@aws-sdk/client-cloudwatch";
import type * as ecs from "@aws-sdk/client-ecs";
import type * as elb from "@aws-sdk/client-elastic-load-balancing-v2";
import type * as ecr from "@aws-sdk/client-ecr";
import type * as acm from "@aws-sdk/client-acm";
import type * as logs from "@aws-sdk/client-cloudwatch-logs";
import type * as s3 from "@aws-sdk/client-s3";
import type * as cb from "@aws-sdk/client-codebuild";
import type * as cp from "@aws-sdk/client-codepipeline";
import type * as csc from "@aws-sdk/client-codestar-connections";
import type * as efs from "@aws-sdk/client-efs";
import type * as sts from "@aws-sdk/client-sts";
import type * as ssm from "@aws-sdk/client-ssm";
import type * as r53 from "@aws-sdk/client-route-53";
import type * as iam from "@aws-sdk/client-iam";

/** The SDK shapes the steps read, re-exported so that only src/aws names the SDK packages. */
export type {
  Stack,
  StackEvent,
  StackResourceSummary,
  Change,
  ResourceChange,
  Parameter,
  Tag,
  Output as StackOutput,
  StackStatus,
} from "@aws-sdk/client-cloudformation";
export type { IpPermission, SecurityGroup } from "@aws-sdk/client-ec2";
export type { Service as EcsService, Task as EcsTask, Deployment as EcsDeployment, ContainerInstance as EcsContainerInstance } from "@aws-sdk/client-ecs";
export type { TargetHealthDescription, Rule as ListenerRule } from "@aws-sdk/client-elastic-load-balancing-v2";
export type { ImageDetail } from "@aws-sdk/client-ecr";
export type { MetricDataQuery } from "@aws-sdk/client-cloudwatch";
export type { CertificateSummary, CertificateDetail } from "@aws-sdk/client-acm";
export type { PipelineDeclaration, PipelineExecutionSummary, PipelineExecution } from "@aws-sdk/client-codepipeline";
export type { Project as CodeBuildProject, Build as CodeBuildBuild, BuildPhase as CodeBuildPhase } from "@aws-sdk/client-codebuild";
export type { FileSystemDescription } from "@aws-sdk/client-efs";
export type { ResourceRecordSet, HostedZone, Change as RecordChange } from "@aws-sdk/client-route-53";

/** CloudFormation calls. */
export interface CloudFormationApi {
  describeStacks(input: cfn.DescribeStacksInput): Promise<cfn.DescribeStacksOutput>;
  createChangeSet(input: cfn.CreateChangeSetInput): Promise<cfn.CreateChangeSetOutput>;
  describeChangeSet(input: cfn.DescribeChangeSetInput): Promise<cfn.DescribeChangeSetOutput>;
  executeChangeSet(input: cfn.ExecuteChangeSetInput): Promise<cfn.ExecuteChangeSetOutput>;
  deleteChangeSet(input: cfn.DeleteChangeSetInput): Promise<cfn.DeleteChangeSetOutput>;
  deleteStack(input: cfn.DeleteStackInput): Promise<unknown>;
  describeStackEvents(input: cfn.DescribeStackEventsInput): Promise<cfn.DescribeStackEventsOutput>;
  listStackResources(input: cfn.ListStackResourcesInput): Promise<cfn.ListStackResourcesOutput>;
  listExports(input: cfn.ListExportsInput): Promise<cfn.ListExportsOutput>;
  listImports(input: cfn.ListImportsInput): Promise<cfn.ListImportsOutput>;
  continueUpdateRollback(input: cfn.ContinueUpdateRollbackInput): Promise<cfn.ContinueUpdateRollbackOutput>;
  getTemplate(input: cfn.GetTemplateInput): Promise<cfn.GetTemplateOutput>;
}

/** EC2 calls (security group rules; zones and VPCs for `init`; subnets' free addresses; the account's regions). */
export interface Ec2Api {
  describeSecurityGroups(input: ec2.DescribeSecurityGroupsRequest): Promise<ec2.DescribeSecurityGroupsResult>;
  authorizeSecurityGroupIngress(input: ec2.AuthorizeSecurityGroupIngressRequest): Promise<ec2.AuthorizeSecurityGroupIngressResult>;
  revokeSecurityGroupIngress(input: ec2.RevokeSecurityGroupIngressRequest): Promise<ec2.RevokeSecurityGroupIngressResult>;
  describeAvailabilityZones(input: ec2.DescribeAvailabilityZonesRequest): Promise<ec2.DescribeAvailabilityZonesResult>;
  describeVpcs(input: ec2.DescribeVpcsRequest): Promise<ec2.DescribeVpcsResult>;
  describeSubnets(input: ec2.DescribeSubnetsRequest): Promise<ec2.DescribeSubnetsResult>;
  /** The regions enabled for the account (without `AllRegions`); each with its `OptInStatus`. */
  describeRegions(input: ec2.DescribeRegionsRequest): Promise<ec2.DescribeRegionsResult>;
}

/** CloudWatch calls (the alarms that judge rollouts; target health of many target groups in one read). */
export interface CloudWatchApi {
  describeAlarms(input: cloudwatch.DescribeAlarmsInput): Promise<cloudwatch.DescribeAlarmsOutput>;
  getMetricData(input: cloudwatch.GetMetricDataInput): Promise<cloudwatch.GetMetricDataOutput>;
}

/** ECS calls (rollout and task state). */
export interface EcsApi {
  describeServices(input: ecs.DescribeServicesRequest): Promise<ecs.DescribeServicesResponse>;
  listTasks(input: ecs.ListTasksRequest): Promise<ecs.ListTasksResponse>;
  describeTasks(input: ecs.DescribeTasksRequest): Promise<ecs.DescribeTasksResponse>;
  /** The EC2 instances under tasks on ECS Managed Instances (`ec2InstanceId`, the `ecs.instance-type` attribute); at most 100 per call. */
  describeContainerInstances(input: ecs.DescribeContainerInstancesRequest): Promise<ecs.DescribeContainerInstancesResponse>;
  /** ECS's record of a service's deployments, whoever started them; in pages, in no documented order. */
  listServiceDeployments(input: ecs.ListServiceDeploymentsRequest): Promise<ecs.ListServiceDeploymentsResponse>;
  describeServiceDeployments(input: ecs.DescribeServiceDeploymentsRequest): Promise<ecs.DescribeServiceDeploymentsResponse>;
  describeServiceRevisions(input: ecs.DescribeServiceRevisionsRequest): Promise<ecs.DescribeServiceRevisionsResponse>;
  runTask(input: ecs.RunTaskRequest): Promise<ecs.RunTaskResponse>;
  stopTask(input: ecs.StopTaskRequest): Promise<ecs.StopTaskResponse>;
  /** Only to force a new deployment (the stack owns the service's settings). */
  updateService(input: ecs.UpdateServiceRequest): Promise<ecs.UpdateServiceResponse>;
  describeTaskDefinition(input: ecs.DescribeTaskDefinitionRequest): Promise<ecs.DescribeTaskDefinitionResponse>;
  executeCommand(input: ecs.ExecuteCommandRequest): Promise<ecs.ExecuteCommandResponse>;
}

/** Elastic Load Balancing v2 calls. */
export interface ElbApi {
  describeLoadBalancers(input: elb.DescribeLoadBalancersInput): Promise<elb.DescribeLoadBalancersOutput>;
  describeTargetGroups(input: elb.DescribeTargetGroupsInput): Promise<elb.DescribeTargetGroupsOutput>;
  describeRules(input: elb.DescribeRulesInput): Promise<elb.DescribeRulesOutput>;
  describeTargetHealth(input: elb.DescribeTargetHealthInput): Promise<elb.DescribeTargetHealthOutput>;
  describeListenerCertificates(input: elb.DescribeListenerCertificatesInput): Promise<elb.DescribeListenerCertificatesOutput>;
  addListenerCertificates(input: elb.AddListenerCertificatesInput): Promise<elb.AddListenerCertificatesOutput>;
  removeListenerCertificates(input: elb.RemoveListenerCertificatesInput): Promise<elb.RemoveListenerCertificatesOutput>;
  describeAccountLimits(input: elb.DescribeAccountLimitsInput): Promise<elb.DescribeAccountLimitsOutput>;
}

/** ECR calls. */
export interface EcrApi {
  describeImages(input: ecr.DescribeImagesRequest): Promise<ecr.DescribeImagesResponse>;
  describeRepositories(input: ecr.DescribeRepositoriesRequest): Promise<ecr.DescribeRepositoriesResponse>;
  listImages(input: ecr.ListImagesRequest): Promise<ecr.ListImagesResponse>;
  batchDeleteImage(input: ecr.BatchDeleteImageRequest): Promise<ecr.BatchDeleteImageResponse>;
}

/** ACM calls. */
export interface AcmApi {
  listCertificates(input: acm.ListCertificatesRequest): Promise<acm.ListCertificatesResponse>;
  describeCertificate(input: acm.DescribeCertificateRequest): Promise<acm.DescribeCertificateResponse>;
  requestCertificate(input: acm.RequestCertificateRequest): Promise<acm.RequestCertificateResponse>;
  listTagsForCertificate(input: acm.ListTagsForCertificateRequest): Promise<acm.ListTagsForCertificateResponse>;
  deleteCertificate(input: acm.DeleteCertificateRequest): Promise<void>;
}

/** CloudWatch Logs calls. */
export interface LogsApi {
  describeLogStreams(input: logs.DescribeLogStreamsRequest): Promise<logs.DescribeLogStreamsResponse>;
  getLogEvents(input: logs.GetLogEventsRequest): Promise<logs.GetLogEventsResponse>;
  describeLogGroups(input: logs.DescribeLogGroupsRequest): Promise<logs.DescribeLogGroupsResponse>;
  deleteLogGroup(input: logs.DeleteLogGroupRequest): Promise<unknown>;
  filterLogEvents(input: logs.FilterLogEventsRequest): Promise<logs.FilterLogEventsResponse>;
}

/** S3 calls (emptying artifact buckets, uploading weights, finding and deleting kept access-log buckets). */
export interface S3Api {
  listBuckets(input: s3.ListBucketsRequest): Promise<s3.ListBucketsOutput>;
  getBucketTagging(input: s3.GetBucketTaggingRequest): Promise<s3.GetBucketTaggingOutput>;
  deleteBucket(input: s3.DeleteBucketRequest): Promise<void>;
  listObjectVersions(input: s3.ListObjectVersionsRequest): Promise<s3.ListObjectVersionsOutput>;
  deleteObjects(input: s3.DeleteObjectsRequest): Promise<s3.DeleteObjectsOutput>;
  putObject(input: s3.PutObjectCommandInput): Promise<s3.PutObjectOutput>;
  createMultipartUpload(input: s3.CreateMultipartUploadRequest): Promise<s3.CreateMultipartUploadOutput>;
  uploadPart(input: s3.UploadPartCommandInput): Promise<s3.UploadPartOutput>;
  completeMultipartUpload(input: s3.CompleteMultipartUploadRequest): Promise<s3.CompleteMultipartUploadOutput>;
  abortMultipartUpload(input: s3.AbortMultipartUploadRequest): Promise<s3.AbortMultipartUploadOutput>;
}

/** CodeBuild calls. */
export interface CodeBuildApi {
  createProject(input: cb.CreateProjectInput): Promise<cb.CreateProjectOutput>;
  updateProject(input: cb.UpdateProjectInput): Promise<cb.UpdateProjectOutput>;
  batchGetProjects(input: cb.BatchGetProjectsInput): Promise<cb.BatchGetProjectsOutput>;
  deleteProject(input: cb.DeleteProjectInput): Promise<cb.DeleteProjectOutput>;
  listBuildsForProject(input: cb.ListBuildsForProjectInput): Promise<cb.ListBuildsForProjectOutput>;
  batchGetBuilds(input: cb.BatchGetBuildsInput): Promise<cb.BatchGetBuildsOutput>;
  stopBuild(input: cb.StopBuildInput): Promise<cb.StopBuildOutput>;
}

/** CodePipeline calls. */
export interface CodePipelineApi {
  createPipeline(input: cp.CreatePipelineInput): Promise<cp.CreatePipelineOutput>;
  updatePipeline(input: cp.UpdatePipelineInput): Promise<cp.UpdatePipelineOutput>;
  getPipeline(input: cp.GetPipelineInput): Promise<cp.GetPipelineOutput>;
  listPipelines(input: cp.ListPipelinesInput): Promise<cp.ListPipelinesOutput>;
  deletePipeline(input: cp.DeletePipelineInput): Promise<void>;
  listPipelineExecutions(input: cp.ListPipelineExecutionsInput): Promise<cp.ListPipelineExecutionsOutput>;
  getPipelineExecution(input: cp.GetPipelineExecutionInput): Promise<cp.GetPipelineExecutionOutput>;
  startPipelineExecution(input: cp.StartPipelineExecutionInput): Promise<cp.StartPipelineExecutionOutput>;
  getPipelineState(input: cp.GetPipelineStateInput): Promise<cp.GetPipelineStateOutput>;
}

/** CodeStar Connections calls. */
export interface ConnectionsApi {
  getConnection(input: csc.GetConnectionInput): Promise<csc.GetConnectionOutput>;
}

/** EFS calls (kept file systems). */
export interface EfsApi {
  describeFileSystems(input: efs.DescribeFileSystemsRequest): Promise<efs.DescribeFileSystemsResponse>;
  describeMountTargets(input: efs.DescribeMountTargetsRequest): Promise<efs.DescribeMountTargetsResponse>;
  deleteFileSystem(input: efs.DeleteFileSystemRequest): Promise<void>;
  deleteMountTarget(input: efs.DeleteMountTargetRequest): Promise<void>;
}

/** STS calls. */
export interface StsApi {
  getCallerIdentity(input: sts.GetCallerIdentityRequest): Promise<sts.GetCallerIdentityResponse>;
}

/** SSM Parameter Store calls (the lease on a base: see `src/deploy/lease.ts`). */
export interface SsmApi {
  /** With `Overwrite: false`, fails with `ParameterAlreadyExists` when the name exists: an atomic create-if-absent. */
  putParameter(input: ssm.PutParameterRequest): Promise<ssm.PutParameterResult>;
  getParametersByPath(input: ssm.GetParametersByPathRequest): Promise<ssm.GetParametersByPathResult>;
  /** `abortSignal`: a give-back that must end by a deadline (after Ctrl-C) carries its own, since the client's calls do not. */
  deleteParameter(input: ssm.DeleteParameterRequest, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/** Route 53 calls (the endpoint's DNS records, in a public hosted zone that covers its host). */
export interface Route53Api {
  listHostedZonesByName(input: r53.ListHostedZonesByNameRequest): Promise<r53.ListHostedZonesByNameResponse>;
  listResourceRecordSets(input: r53.ListResourceRecordSetsRequest): Promise<r53.ListResourceRecordSetsResponse>;
  changeResourceRecordSets(input: r53.ChangeResourceRecordSetsRequest): Promise<r53.ChangeResourceRecordSetsResponse>;
  getChange(input: r53.GetChangeRequest): Promise<r53.GetChangeResponse>;
}

/** IAM reads (what a role's policies allow). */
export interface IamApi {
  listRolePolicies(input: iam.ListRolePoliciesRequest): Promise<iam.ListRolePoliciesResponse>;
  getRolePolicy(input: iam.GetRolePolicyRequest): Promise<iam.GetRolePolicyResponse>;
  listAttachedRolePolicies(input: iam.ListAttachedRolePoliciesRequest): Promise<iam.ListAttachedRolePoliciesResponse>;
  getPolicy(input: iam.GetPolicyRequest): Promise<iam.GetPolicyResponse>;
  getPolicyVersion(input: iam.GetPolicyVersionRequest): Promise<iam.GetPolicyVersionResponse>;
}

/**
 * Builds the read clients of another region, for a hint that must stay short: calls end when `signal`
 * aborts and retry only briefly. Built by the CLI; absent where no other region may be asked.
 */
export type RegionReaders = (region: string, signal: AbortSignal) => Promise<Pick<AwsClients, "cloudFormation" | "ec2">>;

/** Every client a command may need, built once by the CLI. */
export interface AwsClients {
  region: string;
  /** Where the region came from, for messages: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile. */
  regionSource?: string;
  /** The named profile the clients use, when one was given (the Session Manager plugin needs it too). */
  profile?: string;
  /** The one endpoint every client calls, when one was given (`--endpoint-url`). */
  endpointUrl?: string;
  cloudFormation: CloudFormationApi;
  ec2: Ec2Api;
  ecs: EcsApi;
  cloudWatch: CloudWatchApi;
  elb: ElbApi;
  ecr: EcrApi;
  acm: AcmApi;
  logs: LogsApi;
  s3: S3Api;
  codeBuild: CodeBuildApi;
  codePipeline: CodePipelineApi;
  connections: ConnectionsApi;
  efs: EfsApi;
  sts: StsApi;
  ssm: SsmApi;
  route53: Route53Api;
  iam: IamApi;
}
