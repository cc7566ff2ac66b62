// Every fix of every built-in policy, filled with hostile values (names and ids are chosen by whoever owns the tenant).
// The az CLI form runs through bash with a stub `az` that records its argv: nothing the values say may run,
// and each argument must be exactly the value meant. The PowerShell form is read back by a model of PowerShell's
// quoting rules (pwsh cannot be installed here): single-quoted strings are verbatim, a quote inside is doubled, and
// typographic single quotes count as quotes; nothing expands inside them. The Bicep form is read back by a model of
// Bicep's lexer (the Bicep CLI is not installed here): a string literal is single-quoted on one line, with the escapes
// \\ \' \n \r \t \$ and \u{X}, and an unescaped `${` starts an interpolation.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPolicies } from "../../src/engine/policy.js";
import {
  bicepString,
  fill,
  kqlString,
  placeholders,
  powershellQuote,
  shellQuote,
} from "../../src/engine/remediation.js";
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
    ...(r.bicep ? [{ policy: name ? `${p.id} (${name})` : p.id, form: "bicep" as const, template: r.bicep }] : []),
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
  // Bash builtins only: no process but the stub itself per call.
  const stub = `#!/bin/bash
shopt -s nullglob
calls=("$AZ_LOG"/*)
printf -v name '%04d' "\${#calls[@]}"
for a in "$@"; do printf '%s\\0' "$a"; done > "$AZ_LOG/$name"
`;
  const AZ_FUNCTION = `az() {
  local n=0 name a
  printf -v name '%04d' "$n"
  while [[ -e "$AZ_LOG/$name" ]]; do n=$((n + 1)); printf -v name '%04d' "$n"; done
  for a in "$@"; do printf '%s\\0' "$a"; done > "$AZ_LOG/$name"
}`;
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "az"), stub);
  chmodSync(join(bin, "az"), 0o755);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let runs = 0;
  /**
   * Runs each command in a fresh directory of its own with the stub `az`, all in one bash: each command is read from
   * a file by a subshell (`.`), as bash reads a pasted command, so one process serves many cases. The argv of each
   * call, and what the shell said, per command.
   */
  function runAll(commands: string[]) {
    const cases = commands.map((command) => {
      const n = ++runs;
      const cwd = join(dir, `run-${n}`);
      const meta = join(dir, `meta-${n}`);
      mkdirSync(join(cwd, "az-calls"), { recursive: true });
      mkdirSync(meta);
      writeFileSync(join(meta, "cmd.sh"), command);
      return { cwd, meta };
    });
    // The driver names no variable a command could see: its paths are written out (ours, quote-free). `az` is also
    // a shell function doing what the stub does with builtins alone (no option of the shell changed): bash expands
    // a function's arguments exactly as an external command's, without a process per call. A command that reaches
    // `az` by its path (env, xargs) still finds the stub.
    const driver = [
      AZ_FUNCTION,
      ...cases.map(
        ({ cwd, meta }) =>
          `( cd '${cwd}' && AZ_LOG='${cwd}/az-calls' HOME='${cwd}' && export AZ_LOG HOME && . '${meta}/cmd.sh' ) ` +
          `2>'${meta}/stderr'; echo $? >'${meta}/status'`,
      ),
    ].join("\n");
    const shell = spawnSync("bash", ["--noprofile", "--norc", "-c", driver], {
      env: { PATH: `${bin}:/usr/bin:/bin` },
      encoding: "utf8",
    });
    if (shell.status !== 0 || shell.stderr !== "") throw new Error(`the driver failed: ${shell.stderr}`);
    return cases.map(({ cwd, meta }) => {
      const log = join(cwd, "az-calls");
      return {
        calls: readdirSync(log)
          .sort()
          .map((f) => readFileSync(join(log, f), "utf8").split("\0").slice(0, -1)),
        status: Number(readFileSync(join(meta, "status"), "utf8")),
        stderr: readFileSync(join(meta, "stderr"), "utf8"),
        left: readdirSync(cwd).filter((f) => f !== "az-calls"),
      };
    });
  }
  const run = (command: string) => runAll([command])[0]!;

  const azForms = forms.filter((f) => f.form === "azCli");
  test.each(azForms)("$policy: every value reaches az as one argument, exactly", ({ template }) => {
    const marked = run(fill(template, valuesFor(template, MARK), shellQuote));
    expect(marked).toMatchObject({ status: 0, stderr: "", left: [] });
    expect(marked.calls.length).toBeGreaterThan(0);
    const filled = HOSTILE.map((hostile) => {
      const values = valuesFor(template, (name) => `${hostile}·${name}`);
      return { hostile, values, command: fill(template, values, shellQuote) };
    });
    const runsOf = runAll(filled.map((f) => f.command));
    for (const [i, { hostile, values, command }] of filled.entries()) {
      const got = runsOf[i]!;
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

/** A token of a Bicep file, as the model of its lexer reads it; comments and blanks are dropped, line breaks kept. */
type BicepToken = { kind: "string" | "word" | "punct" | "newline"; value: string };
const BICEP_ESCAPES: Record<string, string> = { "\\": "\\", "'": "'", $: "$", n: "\n", r: "\r", t: "\t" };
/** Bicep's line breaks: a string literal may hold none of them. */
const BICEP_LINE_BREAK = /\r\n|[\n\r\u0085\u2028\u2029]/;
function readBicep(text: string): BicepToken[] {
  const tokens: BicepToken[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      tokens.push({ kind: "newline", value: c });
      i++;
    } else if (c === " " || c === "\t") i++;
    else if (text.startsWith("//", i)) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) throw new Error(`unterminated comment in ${text}`);
      i = end + 2;
    } else if (text.startsWith("'''", i)) throw new Error(`a multi-line string in ${text}`);
    else if (c === "'") {
      let value = "";
      i++;
      for (;;) {
        const d = text[i];
        if (d === undefined || BICEP_LINE_BREAK.test(d)) throw new Error(`unterminated string in ${text}`);
        i++;
        if (d === "'") break;
        if (d === "$" && text[i] === "{") throw new Error(`an interpolation in ${text}`);
        if (d !== "\\") {
          value += d;
          continue;
        }
        const e = text[i]!;
        const unicode = /^u\{([0-9A-Fa-f]{1,6})\}/.exec(text.slice(i));
        if (unicode) {
          value += String.fromCodePoint(parseInt(unicode[1]!, 16));
          i += unicode[0].length;
        } else if (e in BICEP_ESCAPES) {
          value += BICEP_ESCAPES[e];
          i++;
        } else throw new Error(`unknown escape \\${e} in ${text}`);
      }
      tokens.push({ kind: "string", value });
    } else if (/[A-Za-z0-9_]/.test(c)) {
      const word = /^[A-Za-z0-9_]+/.exec(text.slice(i))![0];
      tokens.push({ kind: "word", value: word });
      i += word.length;
    } else if (/[{}()[\]:=.,@!?<>|&+\-*/%]/.test(c)) {
      tokens.push({ kind: "punct", value: c });
      i++;
    } else throw new Error(`Bicep would not read ${JSON.stringify(c)} in ${text}`);
  }
  return tokens;
}

describe("fixes deployed as Bicep (a model of its lexer)", () => {
  test.each([
    ["plain", "'plain'"],
    ["it's", "'it\\'s'"],
    ["it’s ‘x’", "'it’s ‘x’'"],
    ["${subscription().id}", "'\\${subscription().id}'"],
    ["$5", "'\\$5'"],
    ["back\\slash", "'back\\\\slash'"],
    ["a\nb\rc\td", "'a\\nb\\rc\\td'"],
    ["a\u202e", "'a\\u{202E}'"],
    ["nel\u0085 ls\u2028 nul\u0000", "'nel\\u{85} ls\\u{2028} nul\\u{0}'"],
    ["日本語-ħsm", "'日本語-ħsm'"],
  ])("bicepString(%j) is %s", (value, quoted) => {
    expect(bicepString(value)).toBe(quoted);
    expect(readBicep(`var x = ${quoted}`)).toEqual([
      { kind: "word", value: "var" },
      { kind: "word", value: "x" },
      { kind: "punct", value: "=" },
      { kind: "string", value },
    ]);
  });

  test.each(HOSTILE)("bicepString(%j) is one string literal, on one line, that reads as the value", (value) => {
    const quoted = bicepString(value);
    expect(quoted.split(BICEP_LINE_BREAK)).toHaveLength(1);
    expect(readBicep(quoted)).toEqual([{ kind: "string", value }]);
  });

  const bicepForms = forms.filter((f) => f.form === "bicep");
  test("the policies have Bicep forms to check", () => {
    expect(bicepForms.length).toBeGreaterThan(5);
  });
  test.each(bicepForms)(
    "$policy: every value is one string literal, exactly, and nothing else changes",
    ({ template }) => {
      const marked = readBicep(fill(template, valuesFor(template, MARK), bicepString));
      for (const hostile of HOSTILE) {
        const values = valuesFor(template, (name) => `${hostile}·${name}`);
        const filled = fill(template, values, bicepString);
        const tokens = readBicep(filled);
        expect(tokens.length).toBe(marked.length);
        marked.forEach((token, i) => {
          const whole = Object.keys(values).find((name) => token.kind === "string" && token.value === MARK(name));
          expect(tokens[i]).toEqual(whole ? { kind: "string", value: values[whole] } : token);
        });
        expect(filled.trim().split(BICEP_LINE_BREAK).length).toBe(template.trim().split("\n").length);
      }
    },
  );

  test("an unfilled placeholder is a string literal <name>, which a deployment refuses", () => {
    expect(fill("resource hsm {{hsmResourceType}} existing = {\n  name: {{name}}\n}", { name: "h" }, bicepString)).toBe(
      "resource hsm '<hsmResourceType>' existing = {\n  name: 'h'\n}",
    );
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
    expect(f.remediation.bicep).toContain("name: 'AZKVAuditLogs'");
    expect(f.remediation.bicep).toContain("retentionInDays: int('90')");
    expect(f.remediation.bicep).toContain("totalRetentionInDays: int('365')");
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
