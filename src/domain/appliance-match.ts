// Which Dedicated HSM a Luna appliance entry is (docs/appliance-evidence.md): the one its `resourceId` names, or, for an
// entry without one, the one whose network interface's private IP is the entry's `host`. An address that two Dedicated
// HSMs share (two VNets may reuse a range) matches neither; a Payment HSM (a payShield, not a Luna appliance) is never
// matched; an entry that names one HSM while its address is another's keeps the one it names, with a warning.
import { isIP } from "node:net";
import { sameId } from "./ids.js";
import { isPayShield } from "./luna.js";

/** What the matching needs of an HSM of the inventory. */
export interface MatchableHsm {
  id: string;
  name: string;
  kind: string;
  sku?: string;
  /** Its network interfaces as ARM's `properties.networkProfile` lists them (Dedicated HSMs). */
  networkInterfaces?: Array<{ id?: string; privateIpAddress: string }>;
}

/** What the matching needs of an appliance entry (the configuration's `appliances:`, or appliances.yaml's). */
export interface MatchableEntry {
  name: string;
  resourceId?: string;
  host?: string;
}

/** How an appliance entry was matched to a Dedicated HSM, as the snapshot records it. */
export interface ApplianceMatch {
  /** `resourceId`: the entry names the HSM; `privateIp`: its host is the HSM's private IP; `none`: no HSM. */
  by: "resourceId" | "privateIp" | "none";
  /** The private IP that matched, or that several Dedicated HSMs share (as the inventory spells it). */
  privateIp?: string;
  /** The ARM id of the network interface that holds the address, when ARM gave one. */
  networkInterface?: string;
  /** The Dedicated HSMs the entry could be (`none`): its address is the private IP of each. */
  candidates?: string[];
  /** What the scan warns of: the entry matches nothing, or its resourceId and its address disagree. */
  warning?: string;
}

export interface MatchedEntry {
  /** The Dedicated HSM the entry's evidence is judged for (absent when it matches none). */
  hsmId?: string;
  match: ApplianceMatch;
}

/**
 * An IP literal in one spelling (IPv4 dotted decimal; IPv6 as eight lower-case hex groups, an IPv4-mapped address as
 * its IPv4), or undefined when the text is not one (a host name, a zone index, a CIDR).
 */
export function normaliseIp(text: string): string | undefined {
  const t = text.trim();
  const version = isIP(t);
  if (version === 4)
    return t
      .split(".")
      .map((n) => String(Number(n)))
      .join(".");
  if (version !== 6 || t.includes("%")) return undefined;
  // The URL parser writes an IPv6 address in its one canonical form (RFC 5952: lower case, longest zero run as `::`).
  const canonical = new URL(`http://[${t}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
}

/** The last segment of an ARM id (a network interface's name), or the id itself. */
function lastSegment(id: string): string {
  return id.replace(/\/+$/, "").split("/").pop() || id;
}

/** How the finding says the appliance was matched: "matched by private IP 10.2.0.4 of nic-hsm-01", or nothing. */
export function matchedInWords(match: ApplianceMatch | undefined): string | undefined {
  if (match?.by !== "privateIp" || !match.privateIp) return undefined;
  return `matched by private IP ${match.privateIp}${match.networkInterface ? ` of ${lastSegment(match.networkInterface)}` : ""}`;
}

/** Each entry's Dedicated HSM and how it was found, in the entries' order. */
export function matchAppliances(hsms: readonly MatchableHsm[], entries: readonly MatchableEntry[]): MatchedEntry[] {
  const dedicated = hsms.filter((h) => h.kind === "dedicatedHsm");
  const withAddress = (ip: string) =>
    dedicated.flatMap((hsm) =>
      (hsm.networkInterfaces ?? [])
        .filter((nic) => normaliseIp(nic.privateIpAddress) === ip)
        .slice(0, 1)
        .map((nic) => ({ hsm, nic })),
    );
  const matched = entries.map((entry): MatchedEntry => {
    const ip = entry.host !== undefined ? normaliseIp(entry.host) : undefined;
    const holders = ip !== undefined ? withAddress(ip) : [];
    const luna = holders.filter((h) => !isPayShield(h.hsm.sku));
    if (entry.resourceId !== undefined) {
      const named = dedicated.find((h) => sameId(h.id, entry.resourceId!));
      if (!named) {
        return {
          hsmId: entry.resourceId,
          match: {
            by: "resourceId",
            warning: `appliance ${entry.name}: its resourceId ${entry.resourceId} names no Dedicated HSM the scan found; its evidence is judged for no HSM`,
          },
        };
      }
      if (isPayShield(named.sku)) {
        return {
          hsmId: named.id,
          match: {
            by: "resourceId",
            warning: `appliance ${entry.name}: its resourceId names ${named.name}, an Azure Payment HSM (${named.sku}), a payShield, not a Luna appliance; its finding stays manual`,
          },
        };
      }
      const own = (named.networkInterfaces ?? []).map((n) => normaliseIp(n.privateIpAddress));
      const elsewhere = luna.filter((h) => !sameId(h.hsm.id, named.id)).map((h) => h.hsm.name);
      const disagree = ip !== undefined && own.length > 0 && !own.includes(ip);
      return {
        hsmId: named.id,
        match: {
          by: "resourceId",
          ...(disagree
            ? {
                warning: `appliance ${entry.name}: its host ${entry.host} is not a private IP of ${named.name}, the Dedicated HSM its resourceId names${elsewhere.length > 0 ? ` (it is ${elsewhere.join(" and ")}'s)` : ""}; the resourceId is used`,
              }
            : {}),
        },
      };
    }
    if (ip === undefined) {
      return {
        match: {
          by: "none",
          warning: `appliance ${entry.name}: it has no resourceId and its host ${entry.host ?? "(none)"} is not an IP address, so it matches no Dedicated HSM`,
        },
      };
    }
    if (luna.length === 1) {
      const { hsm, nic } = luna[0]!;
      return {
        hsmId: hsm.id,
        match: { by: "privateIp", privateIp: nic.privateIpAddress, ...(nic.id ? { networkInterface: nic.id } : {}) },
      };
    }
    if (luna.length > 1) {
      return {
        match: {
          by: "none",
          privateIp: luna[0]!.nic.privateIpAddress,
          candidates: luna.map((h) => h.hsm.id),
          warning: `appliance ${entry.name}: its host ${entry.host} is the private IP of ${luna.length} Dedicated HSMs (${luna.map((h) => h.hsm.name).join(", ")}, in different networks), so it matches none of them; give its resourceId`,
        },
      };
    }
    const payment = holders.map((h) => h.hsm.name);
    return {
      match: {
        by: "none",
        warning:
          payment.length > 0
            ? `appliance ${entry.name}: its host ${entry.host} is the private IP of ${payment.join(", ")}, an Azure Payment HSM (a payShield, not a Luna appliance), which is never matched to an appliance`
            : `appliance ${entry.name}: no Dedicated HSM the scan found has the private IP ${entry.host}, so its evidence is judged for no HSM; give its resourceId, or check the address`,
      },
    };
  });
  // One HSM, one appliance: an entry that names it wins over one matched by address; two matched by address to the
  // same HSM match neither.
  return matched.map((m, i) => {
    if (m.match.by !== "privateIp") return m;
    const others = matched.filter((o, j) => j !== i && o.hsmId !== undefined && sameId(o.hsmId, m.hsmId!));
    if (others.length === 0) return m;
    const names = others.map((o) => entries[matched.indexOf(o)]!.name);
    const byId = others.some((o) => o.match.by === "resourceId");
    return {
      match: {
        by: "none",
        privateIp: m.match.privateIp!,
        ...(byId ? {} : { candidates: [m.hsmId!] }),
        warning: byId
          ? `appliance ${entries[i]!.name}: its host ${entries[i]!.host} is the private IP of a Dedicated HSM that appliance ${names.join(", ")} names by resourceId; the named one is used`
          : `appliance ${entries[i]!.name}: its host ${entries[i]!.host} is also the host of appliance ${names.join(", ")}: neither is matched to the Dedicated HSM with that private IP; give their resourceId`,
      },
    };
  });
}
