/**
 * ACM through the SDK, in a module of its own so that a command loads this
 * client only when it calls ACM.
 */
import * as acm from "@aws-sdk/client-acm";
import type { AcmApi } from "../interfaces.js";
import { Adapter, type AdapterContext } from "../sdk-adapters.js";

export { ACMClient } from "@aws-sdk/client-acm";

/** ACM through the SDK. */
export class SdkAcm extends Adapter implements AcmApi {
  constructor(
    private readonly client: acm.ACMClient,
    context: AdapterContext,
  ) {
    super(context, "ACM", "acm");
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
    return this.call("ListTagsForCertificate", (options) => this.client.send(new acm.ListTagsForCertificateCommand(input), options));
  }
  async deleteCertificate(input: acm.DeleteCertificateRequest): Promise<void> {
    await this.call("DeleteCertificate", (options) => this.client.send(new acm.DeleteCertificateCommand(input), options));
  }
}
