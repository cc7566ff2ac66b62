// Every fix of every built-in policy, filled with hostile values (names and ids are chosen by whoever owns the tenant).
// The az CLI form runs through bash with a stub `az` on PATH that records its argv: nothing the values say may run,
// and each argument must be exactly the value meant. The PowerShell form is read back by a model of PowerShell's
// quoting rules (pwsh cannot be installed here): single-quoted strings are verbatim, a quote inside is doubled, and
// typographic single quotes count as quotes; nothing expands inside them.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPolicies } from "../../src/engine/policy.js";
import { fill, kqlString, placeholders, powershellQuote, shellQuote } from "../../src/engine/remediation.js";
import { tokenize } from "../../src/simulator/kql/lexer.js";
import { evaluate } from "../../src/engine/evaluate.js";
import { WORKSPACE, managedHsm, setting, snapshot, withTables, workspace } from "../helpers/snapshots.js";

const HOSTILE = [
  "$(touch PWNED)",
  "`touch PWNED`",
  "a'b\"c",
  "it’s ‘quoted’ “twice”",
  "x; touch PWNED; y",
  "line one\nCOMPLIANT (exit code 0).",
  "rg(prod)",
  "/subscriptions/0000/resourceGroups/rg(prod)/providers/Microsoft.KeyVault/managedHSMs/$(touch PWNED)",
  "日本語-ħsm-ünïcødé",
  'back\\slash \\" \\n',
  "tab\there\rcr\u2028ls\u202eRLO\u0085nel",
  "> /tmp/x | cat & echo",
  "--role Owner",
  "{{resourceId}} [[kql: x]]",
];

const MARK = (name: string) => `MARKxx${name}xxMARK`;

const policies = loadPolicies();
/** Every fix of every policy: its own, and each of its cases. */
const forms = policies.flatMap((p) =>
  [["", p.remediation] as const, ...Object.entries(p.remediation.cases ?? {})].flatMap(([name, r]) => [
    { policy: name ? `${p.id} (${name})` : p.id, form: "azCli" as const, template: r.azCli },
    { policy: name ? `${p.id} (${name})` : p.id, form: "powershell" as const, template: r.powershell },
  ]),
);

/** The values each placeholder gets: the hostile value, with the placeholder's name after it (to tell them apart). */
const valuesFor = (template: string, value: (name: string) => string) =>
  Object.fromEntries(placeholders(template).map((name) => [name, value(name)]));

/** The strings of a KQL query, in order (the lexer decodes their escapes). */
const kqlStrings = (query: string) =>
  tokenize(query)
    .filter((t) => t.kind === "string")
    .map((t) => String(t.value));
const kqlShape = (query: string) =>
  tokenize(query)
    .filter((t) => t.kind !== "string")
    .map((t) => `${t.kind}:${t.value}`);

/**
 * What the filled command's argv must be, from the argv of the same template filled with markers: a marker that is a
 * whole argument becomes the value itself; an argument holding markers is a KQL query, whose strings must decode to
 * the values and whose other tokens must not change.
 */
function expectSameArgv(actual: string[][], marked: string[][], values: Record<string, string>) {
  expect(actual.length).toBe(marked.length);
  marked.forEach((call, i) => {
    expect(actual[i]!.length).toBe(call.length);
    call.forEach((arg, j) => {
      const got = actual[i]![j]!;
      const whole = Object.keys(values).find((name) => arg === MARK(name));
      if (whole) expect(got).toBe(values[whole]);
      else if (arg.includes("MARKxx")) {
        const unmark = (s: string) => s.replace(/MARKxx([A-Za-z0-9]+)xxMARK/g, (_m, n: string) => values[n]!);
        expect(kqlStrings(got)).toEqual(kqlStrings(arg).map(unmark));
        expect(kqlShape(got)).toEqual(kqlShape(arg));
      } else expect(got).toBe(arg);
    });
  });
}

describe("fixes pasted into bash", () => {
  const dir = mkdtempSync(join(tmpdir(), "hsm-audit-fix-"));
  const bin = join(dir, "bin");
  const stub = `#!/bin/bash
n=$(ls -1 "$AZ_LOG" | wc -l)
for a in "$@"; do printf '%s\\0' "$a"; done > "$AZ_LOG/$(printf '%04d' "$n")"
`;
  spawnSync("mkdir", ["-p", bin]);
  writeFileSync(join(bin, "az"), stub);
  chmodSync(join(bin, "az"), 0o755);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let runs = 0;
  /** Runs a command in a fresh directory with the stub `az`; the argv of each call, and what the shell said. */
  function run(command: string) {
    const cwd = join(dir, `run-${++runs}`);
    const log = join(cwd, "az-calls");
    spawnSync("mkdir", ["-p", log]);
    const shell = spawnSync("bash", ["--noprofile", "--norc", "-c", command], {
      cwd,
      env: { PATH: `${bin}:/usr/bin:/bin`, AZ_LOG: log, HOME: cwd },
      encoding: "utf8",
    });
    const calls = readdirSync(log)
      .sort()
      .map((f) => readFileSync(join(log, f), "utf8").split("\0").slice(0, -1));
    return {
      calls,
      status: shell.status,
      stderr: shell.stderr,
      left: readdirSync(cwd).filter((f) => f !== "az-calls"),
    };
  }

  const azForms = forms.filter((f) => f.form === "azCli");
  test.each(azForms)("$policy: every value reaches az as one argument, exactly", ({ template }) => {
    const marked = run(fill(template, valuesFor(template, MARK), shellQuote));
    expect(marked).toMatchObject({ status: 0, stderr: "", left: [] });
    expect(marked.calls.length).toBeGreaterThan(0);
    for (const hostile of HOSTILE) {
      const values = valuesFor(template, (name) => `${hostile}·${name}`);
      const command = fill(template, values, shellQuote);
      const got = run(command);
      // Nothing ran but az: no file was made, the shell saw no syntax error.
      expect({ hostile, ...got, calls: undefined }).toEqual({ hostile, status: 0, stderr: "", left: [] });
      expectSameArgv(got.calls, marked.calls, values);
      // A value never breaks the command's line.
      expect(command.trim().split("\n").length).toBe(template.trim().split("\n").length);
    }
  });

  test("an unfilled placeholder is a quoted <name>, never a redirection", () => {
    const got = run(fill("az role assignment create --assignee {{who}} --role {{role}}", { role: "" }, shellQuote));
    expect(got).toMatchObject({ status: 0, stderr: "", left: [] });
    expect(got.calls).toEqual([["role", "assignment", "create", "--assignee", "<who>", "--role", "<role>"]]);
  });

  test.each(HOSTILE)("shellQuote(%j) is read back by bash as the value", (value) => {
    const got = run(`az ${shellQuote(value)}`);
    expect(got).toMatchObject({ status: 0, stderr: "", left: [] });
    expect(got.calls).toEqual([[value]]);
  });
});

/**
 * A model of how PowerShell reads the arguments of a command line, for the forms the fixes use: bare words;
 * single-quoted strings (verbatim; a quote, straight or typographic, is doubled); `( ... )` groups, of which the
 * concatenation of single-quoted strings and `[char]0xNNNN` is evaluated; `{ ... }` script blocks; `|` ends the
 * command. A `$`, a backtick or a double quote outside single quotes would be interpreted: the model refuses them
 * (except in `$true`/`$false`, and the literal `$_` and `$log` the templates write).
 */
const PS_QUOTE = "'\u2018\u2019\u201a\u201b";
function readPowerShell(line: string): string[][] {
  const commands: string[][] = [[]];
  let i = 0;
  const readQuoted = (): string => {
    let out = "";
    i++;
    for (;;) {
      if (i >= line.length) throw new Error(`unterminated string in ${line}`);
      const c = line[i]!;
      if (PS_QUOTE.includes(c)) {
        const next = line[i + 1];
        if (next !== undefined && PS_QUOTE.includes(next)) {
          out += c;
          i += 2;
          continue;
        }
        i++;
        return out;
      }
      out += c;
      i++;
    }
  };
  const readGroup = (open: string, close: string): string => {
    const start = i;
    let depth = 0;
    while (i < line.length) {
      const c = line[i]!;
      if (PS_QUOTE.includes(c)) {
        readQuoted();
        continue;
      }
      if (c === open) depth++;
      if (c === close && --depth === 0) {
        i++;
        return line.slice(start, i);
      }
      i++;
    }
    throw new Error(`unbalanced ${open} in ${line}`);
  };
  const evalConcat = (group: string): string | undefined => {
    const inner = group.slice(1, -1).trim();
    const parts: string[] = [];
    let j = 0;
    while (j < inner.length) {
      if (PS_QUOTE.includes(inner[j]!)) {
        const save = i;
        const saveLine = line;
        line = inner;
        i = j;
        parts.push(readQuoted());
        j = i;
        line = saveLine;
        i = save;
      } else {
        const m = /^\[char\]0x([0-9A-F]{4})/.exec(inner.slice(j));
        if (!m) return undefined;
        parts.push(String.fromCharCode(parseInt(m[1]!, 16)));
        j += m[0].length;
      }
      const sep = /^\s*\+\s*/.exec(inner.slice(j));
      if (sep) j += sep[0].length;
      else if (j < inner.length) return undefined;
    }
    return parts.join("");
  };
  while (i < line.length) {
    const c = line[i]!;
    if (c === " ") i++;
    else if (c === "|") {
      commands.push([]);
      i++;
    } else if (PS_QUOTE.includes(c)) commands.at(-1)!.push(readQuoted());
    else if (c === "(") {
      const group = readGroup("(", ")");
      const value = evalConcat(group);
      // Any other group is a command of its own: its arguments are read in line.
      if (value !== undefined) commands.at(-1)!.push(value);
      else commands.at(-1)!.push("(", ...readPowerShell(group.slice(1, -1)).flat(), ")");
    } else if (c === "{") commands.at(-1)!.push(readGroup("{", "}"));
    else {
      const m = /^[^\s'‘’‚‛(){}|]+/.exec(line.slice(i))!;
      const word = m[0];
      if (/[`"“”„]/.test(word) || (word.includes("$") && !/^\$(true|false|log|_)$/.test(word))) {
        throw new Error(`PowerShell would interpret ${word} in ${line}`);
      }
      commands.at(-1)!.push(word);
      i += word.length;
    }
  }
  return commands;
}
/** The fix's commands, each as its arguments (comments and assignments' left sides as they are). */
const powershellCalls = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .flatMap(readPowerShell);

describe("fixes pasted into PowerShell (a model of its quoting rules)", () => {
  test.each([
    ["plain", "'plain'"],
    ["it's", "'it''s'"],
    ["it’s ‘x’", "'it’’s ‘‘x’’'"],
    ["$(touch PWNED)", "'$(touch PWNED)'"],
    ['`n "x" $env:PATH', "'`n \"x\" $env:PATH'"],
    ["a\nb", "('a' + [char]0x000A + 'b')"],
    ["\nb", "('' + [char]0x000A + 'b')"],
    ["a\u202e", "('a' + [char]0x202E)"],
  ])("powershellQuote(%j) is %s", (value, quoted) => {
    expect(powershellQuote(value)).toBe(quoted);
    expect(readPowerShell(`Cmd ${quoted}`)).toEqual([["Cmd", value]]);
  });

  const psForms = forms.filter((f) => f.form === "powershell");
  test.each(psForms)("$policy: every value is one argument, exactly", ({ template }) => {
    const marked = powershellCalls(fill(template, valuesFor(template, MARK), powershellQuote));
    for (const hostile of HOSTILE) {
      const values = valuesFor(template, (name) => `${hostile}·${name}`);
      const command = fill(template, values, powershellQuote);
      expectSameArgv(powershellCalls(command), marked, values);
      expect(command.trim().split("\n").length).toBe(template.trim().split("\n").length);
    }
  });
});

describe("KQL string literals", () => {
  test.each(HOSTILE)("kqlString(%j) is one string token that decodes to the value", (value) => {
    const tokens = tokenize(`T | where x == ${kqlString(value)}`);
    expect(tokens.filter((t) => t.kind === "string").map((t) => t.value)).toEqual([value]);
  });
});

describe("templates", () => {
  test.each(forms)("$policy $form: no placeholder is quoted by the template itself", ({ template }) => {
    expect(template).not.toMatch(/["'‘’]\{\{|\}\}["'‘’]/);
  });
});

describe("the fix that fits the finding", () => {
  const retention = policies.filter((p) => p.id === "workspace-retention");
  const retentionFix = (
    workspaces: ReturnType<typeof workspace>[],
    settings = [setting({ category: "AuditEvent", workspaceId: WORKSPACE })],
  ) => {
    const hsm = managedHsm({ settings });
    const result = evaluate(snapshot({ hsms: [hsm], workspaces }), retention, { failOn: "low" });
    return result.findings.find((f) => f.policyId === "workspace-retention")!;
  };

  test("a table's own short retention is fixed on the table, not on the workspace", () => {
    const f = retentionFix([withTables(workspace(WORKSPACE, { retentionInDays: 400 }), { AZKVAuditLogs: 30 })]);
    expect(f.status).toBe("fail");
    expect(f.remediation.azCli).toBe(
      "az monitor log-analytics workspace table update --resource-group 'RG-Logs' --workspace-name 'law-audit' --name 'AZKVAuditLogs' --retention-time '90' --total-retention-time '365'",
    );
    expect(f.remediation.powershell).toContain("Update-AzOperationalInsightsTable");
  });

  test("a workspace's short default is fixed on that workspace", () => {
    const f = retentionFix([workspace(WORKSPACE, { retentionInDays: 90 })]);
    expect(f.remediation.azCli).toBe(
      `az monitor log-analytics workspace update --ids '${WORKSPACE}' --retention-time '365'`,
    );
  });

  test("a workspace that does not exist is not to be updated: the log is sent to one that does", () => {
    const f = retentionFix([workspace(WORKSPACE, { exists: false })]);
    expect(f.remediation.azCli).not.toContain("workspace update");
    expect(f.remediation.azCli).toContain("az monitor diagnostic-settings create");
  });
});
