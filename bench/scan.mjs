#!/usr/bin/env node
// Benchmark of a whole scan: generates an estate (bench/estate.mjs), serves it with the simulator enforcing Azure's
// published limits (429 when exceeded) and a fixed latency on every answer, runs the real CLI against it as a user
// would, renders the PDF of the result, and ends with one line:
//
//   bench: hsms=… subscriptions=… workspaces=… latency_ms=… wall_s=… bound_s=… ratio=… net_s=… net_ratio=…
//          cpu_s=… requests=… throttled=… rss_mb=… pdf_s=…
//
// (with a few more fields: mode, inventory, sockets, exit code, errors, batched reads). `net_s` is the scan's network
// part, from its first request to its last answer; `wall_s` adds the process's start, the evaluation and writing
// result.json, which no scheduling can remove and the bound does not count.
//
//   npm run bench -- --subscriptions 200 --hsms 1000 --workspaces 20 --latency-ms 50 [--baseline sequential]
//                    [--inventory resource-graph|arm] [--concurrency N] [--no-pdf] [--keep DIR]
//
// `bound_s` is the critical-path lower bound of the scan's requests under the same limits and latency (see
// `lowerBound` below and docs/benchmarks.md); `ratio` is wall_s / bound_s. `--baseline sequential` scans one request
// at a time, one call per resource (no batch, per-subscription lists): the way a naive scanner would.
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parseEstate } from "../dist/simulator/estate.js";
import { startSimulator } from "../dist/simulator/server.js";
import { AZURE_LIMITS } from "../dist/azure/throttle.js";
import { queryGroups } from "../dist/azure/collectors/log-queries.js";
import { benchEstate } from "./estate.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

const { values } = parseArgs({
  options: {
    subscriptions: { type: "string", default: "200" },
    hsms: { type: "string", default: "1000" },
    workspaces: { type: "string", default: "20" },
    "latency-ms": { type: "string", default: "50" },
    baseline: { type: "string" },
    inventory: { type: "string", default: "resource-graph" },
    concurrency: { type: "string", default: String(AZURE_LIMITS.sockets) },
    "no-pdf": { type: "boolean", default: false },
    keep: { type: "string" },
  },
});
const num = (flag) => {
  const n = Number(values[flag]);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`bench: --${flag} must be a whole number, not '${values[flag]}'`);
    process.exit(2);
  }
  return n;
};
const S = num("subscriptions");
const H = num("hsms");
const W = num("workspaces");
const latencyMs = num("latency-ms");
if (values.baseline !== undefined && values.baseline !== "sequential") {
  console.error("bench: --baseline takes 'sequential'");
  process.exit(2);
}
if (!["resource-graph", "arm"].includes(values.inventory)) {
  console.error("bench: --inventory takes resource-graph or arm");
  process.exit(2);
}
const sequential = values.baseline === "sequential";
const plan = {
  sockets: sequential ? 1 : num("concurrency"),
  batch: !sequential,
  inventory: sequential ? "arm" : values.inventory,
};

const work = values.keep ?? mkdtempSync(join(tmpdir(), "hsm-audit-bench-"));
mkdirSync(work, { recursive: true });

const estateJson = JSON.stringify(benchEstate({ subscriptions: S, hsms: H, workspaces: W }));
writeFileSync(join(work, "estate.json"), estateJson);
const estate = parseEstate(estateJson, join(work, "estate.json"));
const sim = await startSimulator({ estate, limits: true, latencyMs });

// The CLI signs in as a user would (DefaultAzureCredential, restricted to the Azure CLI credential), through a stub
// `az` that hands out the simulator's token; it trusts the simulator's CA through NODE_EXTRA_CA_CERTS.
const bin = join(work, "bin");
mkdirSync(bin, { recursive: true });
writeFileSync(join(work, "ca.pem"), sim.caCert);
writeFileSync(
  join(bin, "az"),
  `#!/bin/sh\nprintf '%s' '{"accessToken":"${sim.token}","expiresOn":"2099-01-01 00:00:00.000000","expires_on":${Math.floor(Date.now() / 1000) + 3600},"tokenType":"Bearer"}'\n`,
);
chmodSync(join(bin, "az"), 0o755);

const out = join(work, "out");
const rssFile = join(work, "rss.txt");
const args = [
  "--import",
  join(ROOT, "bench/rss-hook.mjs"),
  join(ROOT, "bin/hsm-audit.js"),
  "scan",
  "--no-config",
  "--arm-endpoint",
  sim.url,
  "--logs-endpoint",
  sim.url,
  "--out",
  out,
  "--format",
  "json",
  "--concurrency",
  String(plan.sockets),
  "--inventory",
  plan.inventory,
  ...(plan.batch ? [] : ["--no-arm-batch"]),
];
const started = performance.now();
const code = await new Promise((resolve, reject) => {
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: join(work, "ca.pem"),
      AZURE_TOKEN_CREDENTIALS: "AzureCliCredential",
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      HSM_AUDIT_BENCH_RSS_FILE: rssFile,
      NO_COLOR: "1",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  child.on("error", reject);
  child.on("close", (c) => {
    if (c !== 0 && c !== 1 && c !== 3) reject(new Error(`hsm-audit scan exited ${c}\n${stderr}`));
    else resolve(c);
  });
});
const wallS = (performance.now() - started) / 1000;
await sim.close();

const result = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
const [maxRss, cpuMicros] = readFileSync(rssFile, "utf8").split(" ").map(Number);
const rssMb = Math.round(maxRss / 1024);
// The CLI's own CPU: on a machine whose cores the simulator shares, what the scan costs its host, apart from Azure.
const cpuS = cpuMicros / 1e6;
const requests = sim.requests.length;
// The scan's network part: from its first request's arrival to its last answer (the simulator's own clock).
const firstAt = Math.min(...sim.requests.map((r) => Date.parse(r.time)));
const lastAt = Math.max(...sim.requests.map((r) => Date.parse(r.time) + r.durationMs));
const netS = (lastAt - firstAt) / 1000;
const innerReads = sim.requests.reduce((n, r) => n + (r.inner?.length ?? 0), 0);
const throttled = Object.values(sim.limitCounters.throttled).reduce((a, b) => a + b, 0);
const errors = result.summary.error;

let pdfS = "skipped";
if (!values["no-pdf"]) {
  const { writeOutputs } = await import("../dist/report/outputs.js");
  const t = performance.now();
  await writeOutputs(result, join(work, "pdf"), ["pdf"], { paper: "a4" });
  pdfS = ((performance.now() - t) / 1000).toFixed(2);
}

const monitored = result.resources.filter((r) => r.kind !== "dedicatedHsm").length;
const holding = new Set(result.resources.map((r) => r.subscriptionId.toLowerCase())).size;
// The workspace queries the scan plans: the same grouping, over the workspaces that receive audit logs.
const senders = new Map();
for (const r of result.resources) {
  for (const a of r.activity ?? []) senders.set(a.workspaceId, [...(senders.get(a.workspaceId) ?? []), r.id]);
}
const window = { start: new Date(result.logWindow.start), end: new Date(result.logWindow.end) };
const groups = queryGroups(
  [...senders].map(([id, hsmIds]) => ({ workspace: { id }, customerId: id, hsmIds })),
  window.start,
  window.end,
  "1h",
).length;
const bound = lowerBound({ S, H, W, monitored, holding, groups, latencyMs, ...plan });

console.log(
  `bench: hsms=${H} subscriptions=${S} workspaces=${W} latency_ms=${latencyMs} mode=${sequential ? "sequential" : "scheduled"} ` +
    `inventory=${plan.inventory} sockets=${plan.sockets} exit=${code} errors=${errors} ` +
    `wall_s=${wallS.toFixed(2)} bound_s=${bound.toFixed(2)} ratio=${(wallS / bound).toFixed(2)} ` +
    `net_s=${netS.toFixed(2)} net_ratio=${(netS / bound).toFixed(2)} cpu_s=${cpuS.toFixed(2)} ` +
    `requests=${requests} batched_reads=${innerReads} throttled=${throttled} rss_mb=${rssMb} pdf_s=${pdfS}`,
);
if (!values.keep) rmSync(work, { recursive: true, force: true });

/**
 * The critical path of the scan's requests under Azure's limits: each stage waits for the one before it (the next
 * stage's requests depend on its answers), and within a stage requests run at most `sockets` at a time, Log Analytics
 * at most 5 at a time and 200 in 30 s, and each subscription's reads at most 250 at once and 25 a second after.
 * Each request costs one latency; the services' own compute time is not counted, so no scan can beat it. (The
 * sequential baseline asks the same questions; its bound counts them one at a time.)
 */
function lowerBound({ S, H, W, monitored, holding, groups, latencyMs, sockets, batch, inventory }) {
  const L = latencyMs / 1000;
  const limits = AZURE_LIMITS;
  const rounds = (n, width) => Math.ceil(n / width);
  // 1. The subscription list, page after page (1,000 a page).
  const subscriptions = rounds(S, 1000) * L;
  // 2. The inventory: one paged Resource Graph query, or three lists per subscription.
  const listing = inventory === "resource-graph" ? Math.max(1, rounds(H, 1000)) * L : rounds(3 * S, sockets) * L;
  // 3. Provider states and, per monitored HSM, its settings and its categories: 20 to a batch, or one call each;
  //    a subscription with more than its bucket's reads waits for the refill.
  const reads = holding + 2 * monitored;
  const calls = batch ? rounds(reads, 20) : reads;
  const perSubscription = Math.ceil(reads / Math.max(1, holding));
  const refill = Math.max(0, perSubscription - limits.armReads.capacity) / limits.armReads.refillPerSecond;
  const settings = Math.max(rounds(calls, sockets) * L, refill);
  // 4. Each workspace: its properties, then its tables.
  const workspaces = 2 * rounds(W, sockets) * L;
  // 5. Seven queries (the audit records and six activity questions) per group of workspaces that one query spans,
  //    five at a time and 200 in 30 s.
  const queries = 7 * groups;
  const logs = Math.max(
    rounds(queries, Math.min(sockets, limits.logs.concurrent)) * L,
    Math.floor((queries - 1) / limits.logs.perWindow) * (limits.logs.windowMs / 1000),
  );
  return subscriptions + listing + settings + workspaces + logs;
}
