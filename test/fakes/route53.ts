/**
 * A stateful fake Route 53 with the behaviours the DNS step relies on, as the
 * Route 53 API reference describes them and the emulator does not show:
 * ListHostedZonesByName lists zones in name order (labels reversed) starting
 * at DNSName, in pages (several zones may share a name, private and public);
 * a change is PENDING until it has reached every name server, then INSYNC
 * (GetChange); a DELETE must repeat the record exactly, and an A record
 * cannot share its name with a CNAME (InvalidChangeBatch).
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_ListHostedZonesByName.html
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html
 */
import type { RecordChange, ResourceRecordSet, Route53Api } from "../../src/aws/interfaces.js";
import { AwsError } from "../../src/errors.js";

type Api = Route53Api;

interface Zone {
  id: string;
  name: string;
  private: boolean;
  records: ResourceRecordSet[];
}

const norm = (name: string) => name.toLowerCase().replace(/\.$/, "");
const sortKey = (name: string) => norm(name).split(".").reverse().join(".");

/** Fake Route 53: zones, records, changes that become INSYNC after `getChangesBeforeInSync` GetChange calls. */
export class FakeRoute53 implements Api {
  readonly zones: Zone[] = [];
  readonly calls: string[] = [];
  readonly batches: RecordChange[][] = [];
  private changes = new Map<string, number>();
  private nextId = 1;

  constructor(private readonly options: { pageSize?: number; getChangesBeforeInSync?: number } = {}) {}

  /** Adds a hosted zone; returns its id. */
  addZone(name: string, options: { private?: boolean } = {}): string {
    const id = `Z${String(this.nextId++).padStart(6, "0")}`;
    this.zones.push({ id, name: `${norm(name)}.`, private: options.private ?? false, records: [] });
    return id;
  }

  /** The record of that name and type in the zone. */
  record(zoneId: string, name: string, type: string): ResourceRecordSet | undefined {
    return this.zone(zoneId).records.find((r) => norm(r.Name ?? "") === norm(name) && r.Type === type);
  }

  /** Puts a record as someone else would. */
  put(zoneId: string, record: ResourceRecordSet): void {
    const zone = this.zone(zoneId);
    zone.records = zone.records.filter((r) => !(norm(r.Name ?? "") === norm(record.Name ?? "") && r.Type === record.Type));
    zone.records.push(structuredClone(record));
  }

  async listHostedZonesByName(input: Parameters<Api["listHostedZonesByName"]>[0]) {
    this.calls.push(`listHostedZonesByName ${input.DNSName ?? ""}`);
    const sorted = [...this.zones].sort((a, b) => sortKey(a.name).localeCompare(sortKey(b.name)) || a.id.localeCompare(b.id));
    let start = input.DNSName ? sorted.findIndex((z) => sortKey(z.name) >= sortKey(input.DNSName!)) : 0;
    if (start < 0) start = sorted.length;
    if (input.HostedZoneId)
      start = Math.max(
        start,
        sorted.findIndex((z) => z.id === input.HostedZoneId),
      );
    const size = Number(input.MaxItems ?? 100) > 0 ? Math.min(Number(input.MaxItems ?? 100), this.options.pageSize ?? 100) : 100;
    const page = sorted.slice(start, start + size);
    const next = sorted[start + size];
    return {
      HostedZones: page.map((z) => ({ Id: `/hostedzone/${z.id}`, Name: z.name, CallerReference: z.id, Config: { PrivateZone: z.private } })),
      IsTruncated: !!next,
      NextDNSName: next?.name,
      NextHostedZoneId: next ? next.id : undefined,
      MaxItems: size,
    };
  }

  async listResourceRecordSets(input: Parameters<Api["listResourceRecordSets"]>[0]) {
    this.calls.push(`listResourceRecordSets ${input.StartRecordName ?? ""} ${input.StartRecordType ?? ""}`);
    const zone = this.zone(input.HostedZoneId!);
    const key = (r: ResourceRecordSet) => `${sortKey(r.Name ?? "")} ${r.Type}`;
    const sorted = [...zone.records].sort((a, b) => key(a).localeCompare(key(b)));
    const from = input.StartRecordName ? `${sortKey(input.StartRecordName)} ${input.StartRecordType ?? ""}` : "";
    const rest = sorted.filter((r) => key(r) >= from);
    const max = Number(input.MaxItems ?? 300);
    return { ResourceRecordSets: structuredClone(rest.slice(0, max)), IsTruncated: rest.length > max, MaxItems: max };
  }

  async changeResourceRecordSets(input: Parameters<Api["changeResourceRecordSets"]>[0]) {
    this.calls.push(
      `changeResourceRecordSets ${(input.ChangeBatch?.Changes ?? []).map((c) => `${c.Action} ${c.ResourceRecordSet?.Type} ${norm(c.ResourceRecordSet?.Name ?? "")}`).join(", ")}`,
    );
    const zone = this.zone(input.HostedZoneId!);
    const changes = input.ChangeBatch?.Changes ?? [];
    // The batch is checked as a whole first: Route 53 applies all of it or none.
    const after = structuredClone(zone.records);
    for (const change of changes) {
      const record = change.ResourceRecordSet!;
      if (!norm(record.Name ?? "").endsWith(norm(zone.name)))
        throw new AwsError(`RRSet with DNS name ${record.Name} is not permitted in zone ${zone.name}`, { code: "InvalidChangeBatch" });
      const index = after.findIndex((r) => norm(r.Name ?? "") === norm(record.Name ?? "") && r.Type === record.Type);
      if (change.Action === "DELETE") {
        if (index < 0 || JSON.stringify(after[index]) !== JSON.stringify({ ...record, Name: after[index]!.Name })) {
          throw new AwsError(
            `Tried to delete resource record set [name='${record.Name}', type='${record.Type}'] but the values provided do not match the current values`,
            { code: "InvalidChangeBatch" },
          );
        }
        after.splice(index, 1);
        continue;
      }
      const clash = after.find((r) => norm(r.Name ?? "") === norm(record.Name ?? "") && (r.Type === "CNAME") !== (record.Type === "CNAME"));
      if (clash)
        throw new AwsError(
          `RRSet of type ${record.Type} with DNS name ${record.Name} is not permitted because a conflicting RRSet of type ${clash.Type} with the same DNS name already exists`,
          { code: "InvalidChangeBatch" },
        );
      if (change.Action === "CREATE" && index >= 0)
        throw new AwsError(`Tried to create resource record set but it already exists`, { code: "InvalidChangeBatch" });
      const stored = { ...structuredClone(record), Name: `${norm(record.Name ?? "")}.` };
      if (index >= 0) after[index] = stored;
      else after.push(stored);
    }
    zone.records = after;
    this.batches.push(structuredClone(changes));
    const id = `/change/C${String(this.nextId++).padStart(6, "0")}`;
    this.changes.set(id, 0);
    return { ChangeInfo: { Id: id, Status: "PENDING" as const, SubmittedAt: new Date() } };
  }

  async getChange(input: Parameters<Api["getChange"]>[0]) {
    this.calls.push(`getChange ${input.Id}`);
    const seen = this.changes.get(input.Id!);
    if (seen === undefined) throw new AwsError(`Could not find resource with ID: ${input.Id}`, { code: "NoSuchChange" });
    this.changes.set(input.Id!, seen + 1);
    const inSync = seen + 1 >= (this.options.getChangesBeforeInSync ?? 2);
    return { ChangeInfo: { Id: input.Id!, Status: inSync ? ("INSYNC" as const) : ("PENDING" as const), SubmittedAt: new Date() } };
  }

  private zone(id: string): Zone {
    const zone = this.zones.find((z) => z.id === id.replace(/^\/hostedzone\//, ""));
    if (!zone) throw new AwsError(`No hosted zone found with ID: ${id}`, { code: "NoSuchHostedZone" });
    return zone;
  }
}
