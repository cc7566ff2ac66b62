// Storage accounts as destinations of diagnostic settings: the archived hourly log blobs that Azure Monitor writes,
// built from the HSMs' activity. routes/storage.ts serves them (ARM and blob data plane).
import { AUDIT_CATEGORY, armIdKey, settingCarries, type Estate, type Hsm, type StorageAccount } from "./estate.js";

export interface ArchivedBlob {
  container: string;
  name: string;
  content: Buffer;
  lastModified: Date;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The hourly blob an HSM's record of `time` lands in (DOMAIN.md §5: ARM id upper-cased, UTC). */
export function archiveBlobName(hsmId: string, time: Date): string {
  return (
    `resourceId=/${hsmId.replace(/^\/+/, "").toUpperCase()}/y=${time.getUTCFullYear()}/m=${pad(time.getUTCMonth() + 1)}` +
    `/d=${pad(time.getUTCDate())}/h=${pad(time.getUTCHours())}/m=00/PT1H.json`
  );
}

/** One archived record, in the common schema of Azure Monitor resource logs. */
function archiveRecord(hsm: Hsm, category: string, r: Hsm["activity"][number]): Record<string, unknown> {
  return {
    time: r.time.toISOString(),
    resourceId: hsm.id.toUpperCase(),
    category,
    operationName: r.operation,
    ...(r.resultType ? { resultType: r.resultType } : {}),
    ...(r.caller ? { callerIpAddress: r.caller } : {}),
    ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
    properties: {
      ...(r.httpStatusCode !== undefined ? { httpStatusCode: r.httpStatusCode } : {}),
      ...(r.identity ? { identity: { claim: { upn: r.identity } } } : {}),
      ...(r.fields ?? {}),
    },
  };
}

/**
 * Every archived blob of every storage account, by account name (lower-cased): one blob per HSM and hour that has
 * records, for each setting that sends the HSM's audit category to the account. Records after the estate's `now`
 * are not written yet.
 */
export function archiveBlobs(estate: Estate): Map<string, ArchivedBlob[]> {
  const byAccount = new Map<string, ArchivedBlob[]>();
  const accounts = estate.subscriptions.flatMap((s) => s.storageAccounts);
  for (const hsm of estate.subscriptions.flatMap((s) => s.hsms)) {
    if (hsm.kind === "dedicatedHsm") continue;
    const category = AUDIT_CATEGORY[hsm.kind];
    for (const setting of hsm.diagnosticSettings) {
      if (!setting.storageAccountId || !settingCarries(hsm, setting, category)) continue;
      const account = accounts.find((a) => armIdKey(a.id) === armIdKey(setting.storageAccountId!));
      if (!account) continue;
      const hours = new Map<string, Hsm["activity"]>();
      for (const record of hsm.activity) {
        if (record.time.getTime() > estate.now.getTime()) continue;
        const name = archiveBlobName(hsm.id, record.time);
        hours.set(name, [...(hours.get(name) ?? []), record]);
      }
      const blobs = byAccount.get(account.name.toLowerCase()) ?? [];
      for (const [name, records] of hours) {
        const sorted = [...records].sort((a, b) => a.time.getTime() - b.time.getTime());
        const lines = sorted.map((r) => archiveRecord(hsm, category, r));
        const text =
          account.archive.format === "records"
            ? JSON.stringify({ records: lines })
            : lines.map((line) => JSON.stringify(line)).join("\n") + "\n";
        blobs.push({
          container: `insights-logs-${category.toLowerCase()}`,
          name,
          content: Buffer.from(text),
          lastModified: sorted[sorted.length - 1]!.time,
        });
      }
      byAccount.set(account.name.toLowerCase(), blobs);
    }
  }
  for (const blobs of byAccount.values()) blobs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return byAccount;
}

/** The containers of an account: those declared, and those that archived logs were written to. */
export function containersOf(account: StorageAccount, blobs: ArchivedBlob[]): StorageAccount["containers"] {
  const all = new Map(account.containers.map((c) => [c.name, c]));
  for (const blob of blobs) if (!all.has(blob.container)) all.set(blob.container, { name: blob.container });
  return [...all.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
