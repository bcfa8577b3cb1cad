/**
 * The images stack (templates/images.yaml) holds the endpoint's ECR repository exactly as the
 * endpoint templates define it for endpoints created before images stacks existed, and the endpoint
 * templates hold theirs only for those (OwnRepository).
 */
import { describe, expect, it } from "vitest";
import { ENDPOINTS, template } from "./helpers.js";

const I = template("images");

describe("images stack", () => {
  it("holds the endpoint's repository with the endpoint templates' name, tags, scanning, encryption and lifecycle", () => {
    const repository = I.Resources?.["Repository"];
    expect(repository?.Type).toBe("AWS::ECR::Repository");
    for (const [name, t] of ENDPOINTS) {
      const own = t.Resources?.["Repository"];
      expect(own?.Condition, name).toBe("OwnRepository");
      // The same repository, emptied only by teardown after the confirmation (EmptyOnDelete false).
      expect({ ...(repository?.Properties as object), EmptyOnDelete: undefined }).toEqual({ ...(own?.Properties as object), EmptyOnDelete: undefined });
    }
    expect((repository?.Properties as Record<string, unknown>)["EmptyOnDelete"]).toBe(false);
  });

  it("is deleted with its stack only once empty, and never replaced away", () => {
    const repository = I.Resources?.["Repository"];
    expect(repository?.DeletionPolicy).toBe("Delete");
    expect(repository?.UpdateReplacePolicy).toBe("Retain");
  });

  it("outputs the repository's name, URI and ARN", () => {
    expect(Object.keys(I.Outputs ?? {}).sort()).toEqual(["RepositoryArn", "RepositoryName", "RepositoryUri"]);
  });

  it("lets the endpoint templates name the repository of the images stack, and output it either way", () => {
    for (const [name, t] of ENDPOINTS) {
      expect(t.Parameters?.["ImageRepositoryName"]?.Default, name).toBe("");
      expect(t.Conditions?.["OwnRepository"], name).toEqual({ "Fn::Equals": [{ Ref: "ImageRepositoryName" }, ""] });
      expect(JSON.stringify(t.Outputs?.["EcrRepositoryName"]), name).toContain("ImageRepositoryName");
      expect(JSON.stringify(t.Outputs?.["EcrRepositoryUri"]), name).toContain("ImageRepositoryName");
    }
  });
});
