// Writes vendor/ocsf/1.3.0/compliance_finding.schema.json: the JSON Schema of an OCSF 1.3.0 Compliance Finding (class
// 2003) as hsm-audit emits it, which the tests validate findings.ocsf.jsonl against. OCSF publishes no JSON Schema
// package; its schema is the source tree of ocsf/ocsf-schema. The facts below (attribute names, types, requirements,
// enum values) were read from those sources; vendor/ocsf/1.3.0/README.md lists each file with the commit it was read
// at and what was taken from it, and what came from OCSF's 1.3.0 documentation instead. After changing them, run
// `node scripts/ocsf-json-schema.mjs && npx prettier --write vendor/ocsf`; a test fails until the file is current.
import { writeFileSync } from "node:fs";

const OUT = new URL("../vendor/ocsf/1.3.0/compliance_finding.schema.json", import.meta.url);
const str = { type: "string" };
const strs = { type: "array", items: { type: "string" } };
const ts = { type: "integer", description: "timestamp_t: milliseconds since the Unix epoch" };
const pairs = (idPath, namePath, table) =>
  Object.entries(table).map(([id, name]) => ({
    if: { properties: { [idPath]: { const: Number(id) } }, required: [idPath] },
    then: { properties: { [namePath]: { const: name } } },
  }));
// severity_id: the base event's, as OCSF 1.x documents it (not among the files read). The finding's status_id:
// events/findings/finding.json, 0-4 and 99 only (later sources add 5 Archived and 6 Deleted, left out as not verified
// for 1.3.0; hsm-audit uses 1 and 3). compliance.status_id: objects/compliance.json. account.type_id:
// objects/account.json, up to 13 Azure Subscription. activity_id: events/findings/finding.json.
const SEVERITY = {
  0: "Unknown",
  1: "Informational",
  2: "Low",
  3: "Medium",
  4: "High",
  5: "Critical",
  6: "Fatal",
  99: "Other",
};
const FINDING_STATUS = { 0: "Unknown", 1: "New", 2: "In Progress", 3: "Suppressed", 4: "Resolved", 99: "Other" };
const COMPLIANCE_STATUS = { 0: "Unknown", 1: "Pass", 2: "Warning", 3: "Fail" };
const ACTIVITY = { 0: "Unknown", 1: "Create", 2: "Update", 3: "Close", 99: "Other" };
const ACCOUNT_TYPE = {
  0: "Unknown",
  1: "LDAP Account",
  2: "Windows Account",
  3: "AWS IAM User",
  4: "AWS IAM Role",
  5: "GCP Account",
  6: "Azure AD Account",
  7: "Mac OS Account",
  8: "Apple Account",
  9: "Linux Account",
  10: "AWS Account",
  11: "GCP Project",
  12: "OCI Compartment",
  13: "Azure Subscription",
  99: "Other",
};
const ids = (t) => Object.keys(t).map(Number);
const schema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "urn:hsm-audit:ocsf:1.3.0:compliance_finding",
  title: "OCSF 1.3.0 Compliance Finding (class 2003), as hsm-audit emits it",
  description:
    "Hand-written from the OCSF schema sources (see README.md for each part's source and commit). Every attribute OCSF 1.3.0 requires of the class is required; so are those hsm-audit always sets. Attributes hsm-audit does not emit are refused, so that a misspelt or misplaced attribute fails validation: this checks hsm-audit's output, it is not a general OCSF validator.",
  type: "object",
  additionalProperties: false,
  required: [
    "activity_id",
    "category_uid",
    "class_uid",
    "type_uid",
    "severity_id",
    "time",
    "metadata",
    "finding_info",
    "compliance",
    "cloud",
    "resources",
    "status_id",
    "status",
    "severity",
    "message",
  ],
  properties: {
    category_uid: { const: 2 },
    category_name: { const: "Findings" },
    class_uid: { const: 2003 },
    class_name: { const: "Compliance Finding" },
    activity_id: { type: "integer", enum: ids(ACTIVITY) },
    activity_name: str,
    type_uid: { type: "integer", enum: ids(ACTIVITY).map((a) => 2003 * 100 + a) },
    type_name: str,
    severity_id: { type: "integer", enum: ids(SEVERITY) },
    severity: str,
    time: ts,
    message: str,
    status_id: { type: "integer", enum: ids(FINDING_STATUS) },
    status: str,
    status_code: str,
    status_detail: str,
    metadata: { $ref: "#/$defs/metadata" },
    finding_info: { $ref: "#/$defs/finding_info" },
    compliance: { $ref: "#/$defs/compliance" },
    resources: { type: "array", minItems: 1, items: { $ref: "#/$defs/resource_details" } },
    remediation: { $ref: "#/$defs/remediation" },
    cloud: { $ref: "#/$defs/cloud" },
    unmapped: { type: "object" },
  },
  allOf: [
    ...Object.keys(ACTIVITY).map((a) => ({
      if: { properties: { activity_id: { const: Number(a) } }, required: ["activity_id"] },
      then: { properties: { type_uid: { const: 200300 + Number(a) } } },
    })),
    ...pairs("activity_id", "activity_name", { 1: "Create", 2: "Update", 3: "Close" }),
    ...pairs("severity_id", "severity", Object.fromEntries(Object.entries(SEVERITY).filter(([k]) => k !== "99"))),
    ...pairs("status_id", "status", Object.fromEntries(Object.entries(FINDING_STATUS).filter(([k]) => k !== "99"))),
  ],
  $defs: {
    metadata: {
      type: "object",
      additionalProperties: false,
      required: ["product", "version"],
      properties: {
        version: { type: "string", const: "1.3.0" },
        uid: str,
        correlation_uid: str,
        product: { $ref: "#/$defs/product" },
        profiles: strs,
        labels: strs,
      },
    },
    product: {
      type: "object",
      additionalProperties: false,
      required: ["vendor_name", "name"],
      properties: { name: str, vendor_name: str, version: str, uid: str },
    },
    finding_info: {
      type: "object",
      additionalProperties: false,
      required: ["uid", "title"],
      properties: {
        uid: { type: "string", minLength: 1 },
        title: { type: "string", minLength: 1 },
        desc: str,
        created_time: ts,
        first_seen_time: ts,
        last_seen_time: ts,
        modified_time: ts,
        src_url: str,
        types: strs,
      },
    },
    compliance: {
      type: "object",
      additionalProperties: false,
      required: ["control", "status_id", "status"],
      properties: {
        control: { type: "string", minLength: 1 },
        standards: strs,
        requirements: strs,
        status_id: { type: "integer", enum: [...ids(COMPLIANCE_STATUS), 99] },
        status: str,
        status_code: str,
        status_detail: str,
      },
      allOf: pairs("status_id", "status", COMPLIANCE_STATUS),
    },
    resource_details: {
      type: "object",
      additionalProperties: false,
      required: ["uid"],
      properties: {
        uid: { type: "string", minLength: 1 },
        name: str,
        type: str,
        region: str,
        cloud_partition: str,
        labels: strs,
        data: { description: "json_t: any JSON value" },
      },
    },
    remediation: {
      type: "object",
      additionalProperties: false,
      required: ["desc"],
      properties: { desc: str, references: strs },
    },
    cloud: {
      type: "object",
      additionalProperties: false,
      required: ["provider"],
      properties: { provider: str, region: str, zone: str, account: { $ref: "#/$defs/account" } },
    },
    account: {
      type: "object",
      additionalProperties: false,
      properties: {
        uid: str,
        name: str,
        type_id: { type: "integer", enum: ids(ACCOUNT_TYPE) },
        type: str,
        labels: strs,
      },
      allOf: pairs("type_id", "type", Object.fromEntries(Object.entries(ACCOUNT_TYPE).filter(([k]) => k !== "99"))),
    },
  },
};
// The file to write may be given (the test writes a copy to compare with the committed one).
writeFileSync(process.argv[2] ?? OUT, `${JSON.stringify(schema, null, 2)}\n`);
