// The JSON schema of a snapshot's Luna appliances (model/appliance.ts): what each read-only LunaSH command showed, and
// how the appliance was matched to its Dedicated HSM. Part of the snapshot's schema (snapshot.ts).
import { fact, str, strings } from "./shared.js";

/** `service status <name>` of a Luna appliance. */
const serviceState = fact({
  type: "object",
  required: ["service", "running"],
  properties: { service: str, running: { type: "boolean" } },
});

/** A remote log receiver of a Luna appliance. */
const remoteHost = {
  type: "object",
  required: ["host"],
  properties: {
    host: str,
    port: { type: "integer", minimum: 1, maximum: 65535 },
    protocol: str,
    tls: { type: "boolean" },
  },
} as const;

/** One appliance of the snapshot (model/appliance.ts `ApplianceFacts`). */
export const applianceRecord = {
  type: "object",
  required: ["name", "readings"],
  properties: {
    name: str,
    hsmId: str,
    host: str,
    match: {
      type: "object",
      required: ["by"],
      properties: {
        by: { enum: ["resourceId", "privateIp", "none"] },
        privateIp: str,
        networkInterface: str,
        candidates: strings,
        warning: str,
      },
    },
    readings: {
      type: "object",
      properties: {
        hsmShow: fact({
          type: "object",
          required: ["auditRoleInitialized"],
          properties: {
            auditRoleInitialized: { type: "boolean" },
            tamperState: str,
            serial: str,
            firmware: str,
            softwareVersion: str,
          },
        }),
        auditShow: fact({
          type: "object",
          required: ["eventClasses"],
          properties: {
            eventClasses: strings,
            rotation: str,
            nvramUsedPercent: { type: "number", minimum: 0, maximum: 100 },
          },
        }),
        auditRemoteHosts: fact({ type: "array", items: remoteHost }),
        auditLogList: fact({
          type: "object",
          required: ["files"],
          properties: {
            files: {
              type: "array",
              items: {
                type: "object",
                required: ["name"],
                properties: { name: str, modified: str, bytes: { type: "integer", minimum: 0 } },
              },
            },
          },
        }),
        syslogRemoteHosts: fact({ type: "array", items: remoteHost }),
        serviceCbs: serviceState,
        serviceSyslog: serviceState,
        serviceNtp: serviceState,
        ntpStatus: fact({
          type: "object",
          required: ["running", "enabled", "peers"],
          properties: {
            running: { type: "boolean" },
            enabled: { type: "boolean" },
            peers: {
              type: "array",
              items: {
                type: "object",
                required: ["tally", "remote", "refid", "stratum", "offsetMs"],
                properties: {
                  tally: str,
                  remote: str,
                  refid: str,
                  stratum: { type: "integer", minimum: 0 },
                  offsetMs: { type: "number" },
                },
              },
            },
          },
        }),
        ntpList: fact({ type: "object", required: ["servers"], properties: { servers: strings } }),
      },
    },
  },
} as const;
