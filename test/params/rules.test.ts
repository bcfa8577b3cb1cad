/** Single-value rules, CIDR arithmetic, sizes and suggestions. */
import { describe, expect, it } from "vitest";
import { contains, overlaps, parseCidr, type Cidr } from "../../src/params/cidr.js";
import { parseCpu, parseMemory } from "../../src/params/fargate.js";
import { checkBranch, checkCertificateArn, checkConnectionArn, checkDockerTag, checkHostName, checkName, checkRepository } from "../../src/params/rules.js";
import { levenshtein, nearest } from "../../src/params/suggest.js";

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if ("error" in parsed) throw new Error(parsed.error);
  return parsed;
}

describe("CIDR", () => {
  it.each([
    ["10.0.0.0/16", undefined],
    ["0.0.0.0/0", undefined],
    ["192.168.1.7/32", undefined],
    ["10.0.0.1/16", "the network address is 10.0.0.0/16"],
    ["172.16.5.128/20", "the network address is 172.16.0.0/20"],
    ["10.0.0.0", "not an IPv4 CIDR block"],
    ["10.0.0.256/24", "above 255"],
    ["10.0.0.0/33", "above 32"],
    ["10.01.0.0/16", "leading zero"],
    ["fd00::/8", "not an IPv4 CIDR block"],
  ])("%s", (text, problem) => {
    const parsed = parseCidr(text);
    if (problem === undefined) expect(parsed).not.toHaveProperty("error");
    else expect((parsed as { error: string }).error).toContain(problem);
  });

  it("decides containment and overlap at the edges", () => {
    expect(contains(cidr("10.0.0.0/16"), cidr("10.0.255.240/28"))).toBe(true);
    expect(contains(cidr("10.0.0.0/16"), cidr("10.1.0.0/24"))).toBe(false);
    expect(contains(cidr("10.0.0.0/24"), cidr("10.0.0.0/16"))).toBe(false);
    expect(contains(cidr("0.0.0.0/0"), cidr("255.255.255.0/24"))).toBe(true);
    expect(overlaps(cidr("10.0.0.0/24"), cidr("10.0.1.0/24"))).toBe(false);
    expect(overlaps(cidr("10.0.0.0/23"), cidr("10.0.1.0/24"))).toBe(true);
    expect(overlaps(cidr("10.0.1.0/24"), cidr("10.0.0.0/23"))).toBe(true);
  });
});

describe("sizes", () => {
  it("parses memory and CPU", () => {
    expect(parseMemory("30 GB")).toBe(30720);
    expect(parseMemory("3072m")).toBe(3072);
    expect(parseMemory(-1)).toHaveProperty("error");
    expect(parseMemory("2 TB")).toHaveProperty("error");
    expect(parseMemory(true)).toHaveProperty("error");
    expect(parseCpu("0.5 vCPU")).toBe(512);
    expect(parseCpu(8192)).toBe(8192);
    expect(parseCpu("16 vCPU")).toBe(16384);
    expect(parseCpu(32768)).toHaveProperty("error");
    expect(parseCpu("1.5 vCPU")).toHaveProperty("error");
  });
});

describe("names", () => {
  it.each([
    ["ep-a", undefined],
    ["a1", undefined],
    ["ep--a", "consecutive hyphens"],
    ["ep-", "end with a hyphen"],
    ["-ep", "start with a lowercase letter"],
    ["ep.a", "only lowercase letters, digits and hyphens"],
    ["", "must not be empty"],
  ])("project %j", (value, problem) => {
    const message = checkName(value);
    if (problem === undefined) expect(message).toBeUndefined();
    else expect(message).toContain(problem);
  });

  it("suggests a name that is valid itself", () => {
    for (const [value, suggested] of [
      ["Sentiment_API", "sentiment-api"],
      ["ep_a", "ep-a"],
      ["EP-A", "ep-a"],
      ["ep.a", "ep-a"],
      ["-ep", "ep"],
      ["9lives", "lives"],
    ] as const) {
      expect(checkName(value), value).toContain(`use "${suggested}"`);
      expect(checkName(suggested), suggested).toBeUndefined();
    }
    expect(checkName("___")).not.toContain("use");
  });

  it.each([
    ["api.example.com", undefined],
    ["a.b", undefined],
    ["xn--bcher-kva.example", undefined],
    ["ep-a.example.com.", "ends with a dot"],
    ["a..b", "empty label"],
    ["-a.example.com", "must not start or end with a hyphen"],
    ["10.0.0.1", "looks like an IP address"],
    [`${"a".repeat(60)}.${"b".repeat(60)}.example.com`, "at most 128"],
  ])("host %j", (value, problem) => {
    const message = checkHostName(value);
    if (problem === undefined) expect(message).toBeUndefined();
    else expect(message).toContain(problem);
  });

  it("checks Docker tags", () => {
    expect(checkDockerTag("tag-abc123")).toBeUndefined();
    expect(checkDockerTag("_v1.2")).toBeUndefined();
    expect(checkDockerTag("a".repeat(128))).toBeUndefined();
    expect(checkDockerTag("a".repeat(129))).toContain("at most 128");
    expect(checkDockerTag(".v1")).toContain("not a valid Docker tag");
    expect(checkDockerTag("v1:2")).toContain("not a valid Docker tag");
  });

  it("refuses the tag latest: with immutable repositories it would name the first image ever pushed", () => {
    expect(checkDockerTag("latest")).toMatch(/"latest" cannot be deployed: the ECR repositories have immutable tags/);
    expect(checkDockerTag("latest-v2")).toBeUndefined();
    expect(checkDockerTag("tag-latest")).toBeUndefined();
  });

  it("checks git branch names", () => {
    for (const good of ["main", "release/1.2", "feature/x_y-z", "v1.0"]) expect(checkBranch(good)).toBeUndefined();
    for (const bad of ["a b", "a..b", "a/", "/a", "a//b", "a.lock", "a/.b", "a.", "@", "a@{b", "a~1", "a:b", "-a", ""]) {
      expect(checkBranch(bad), bad).toBeDefined();
    }
  });

  it("checks repositories", () => {
    expect(checkRepository("example-org/ml-endpoints")).toBeUndefined();
    expect(checkRepository("a/b.c_d")).toBeUndefined();
    expect(checkRepository("a")).toContain("not owner/name");
    expect(checkRepository("a/b/c")).toContain("not owner/name");
    expect(checkRepository("git@github.com:a/b.git")).toContain('("a/b")');
    expect(checkRepository("-a/b")).toContain("not a valid GitHub owner");
    expect(checkRepository("a/..")).toContain("not a valid GitHub repository name");
  });

  it("checks ARNs", () => {
    const id = "00000000-0000-4000-8000-000000000000";
    expect(checkCertificateArn(`arn:aws:acm:us-east-1:123456789012:certificate/${id}`)).toBeUndefined();
    expect(checkCertificateArn(`arn:aws-us-gov:acm:us-gov-west-1:123456789012:certificate/${id}`)).toBeUndefined();
    expect(checkCertificateArn(`arn:aws:acm:us-east-1:12345:certificate/${id}`)).toBeDefined();
    expect(checkCertificateArn("Get from ACM")).toBeDefined();
    expect(checkConnectionArn(`arn:aws:codestar-connections:eu-west-1:123456789012:connection/${id}`)).toBeUndefined();
    expect(checkConnectionArn(`arn:aws:codeconnections:eu-west-1:123456789012:connection/${id}`)).toBeUndefined();
    expect(checkConnectionArn(`arn:aws:codestar-connections:eu-west-1:123456789012:host/${id}`)).toBeDefined();
  });
});

describe("suggestions", () => {
  it("measures edit distance", () => {
    expect(levenshtein("kitten", "sitting")).toBe(3);
    expect(levenshtein("", "abc")).toBe(3);
    expect(levenshtein("same", "same")).toBe(0);
  });

  it("suggests only plausible typos", () => {
    const keys = ["hostHeader", "port", "healthCheckPath", "certificateArn", "listenerPriority"];
    expect(nearest("hostHeadr", keys)).toBe("hostHeader");
    expect(nearest("HOSTHEADER", keys)).toBe("hostHeader");
    expect(nearest("prot", keys)).toBe("port");
    expect(nearest("region", keys)).toBeUndefined();
  });
});
