// Microsoft's Kusto language service (Kusto.Language, the parser behind the Azure Data Explorer and Log Analytics
// editors), loaded the first time a query has to be read. The package is a Bridge.NET build: two scripts that define
// the globals `Bridge`, `System` and `Kusto` (bridge's runtime first). The package ships each script minified beside
// the full one; the minified pair (5 MB against 18 MB) is the same code and loads in a fraction of the time. They are
// run once per process, in Node's own realm, so that every instance of this module finds them there (a test runner
// gives each test file its own instances of the project's modules, but one process).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { runInThisContext } from "node:vm";

/** The parts of a syntax node this project reads (see Kusto.Language.Syntax in the package's .d.ts). */
export interface KqlNode {
  Kind: number;
  IsToken: boolean;
  ChildCount: number;
  GetChild(index: number): KqlNode | null;
  Text?: string | null;
  SimpleName?: string | null;
  LiteralValue?: unknown;
  Element?: KqlNode | null;
  Count?: number;
  getItem?(index: number): KqlNode | null;
  [property: string]: unknown;
}

export interface KqlParse {
  /** The query's syntax tree (a QueryBlock). */
  root: KqlNode;
  /** The syntax errors the parser reports, as `CODE message`. */
  errors: string[];
}

interface KustoLanguage {
  /**
   * The query parser alone (what `KustoCode.Parse` runs first): the same syntax tree and syntax diagnostics, without
   * building the global state of every built-in function and table that binding needs and this analysis does not
   * (a second of start-up; test/engine/rule-coverage.test.ts compares the two trees).
   */
  Parsing: {
    QueryParser: { ParseQuery$1(text: string, options: null): KqlNode & { GetContainedDiagnostics(): KqlList } };
  };
  Syntax: { SyntaxKind: Record<string, number | unknown> };
}

interface KqlList {
  Count: number;
  getItem(index: number): { Code: string; Message: string; Severity: string };
}

let language: { kusto: KustoLanguage; kinds: Map<number, string> } | undefined;

const SCRIPTS = [
  "@kusto/language-service-next/bridge.min.js",
  "@kusto/language-service-next/Kusto.Language.Bridge.min.js",
];

/** Kusto.Language in Node's realm: found there, or loaded there now. */
function kustoLanguage(): KustoLanguage {
  const loaded = () => runInThisContext("globalThis.Kusto && globalThis.Kusto.Language") as KustoLanguage | undefined;
  const found = loaded();
  if (found) return found;
  const require = createRequire(import.meta.url);
  for (const script of SCRIPTS) {
    const file = require.resolve(script);
    // As a classic script: the runtime sees no CommonJS `module` and defines its globals on the realm's global object.
    runInThisContext(readFileSync(file, "utf8"), { filename: file });
  }
  const language = loaded();
  if (!language) throw new Error("the Kusto language service did not load (Kusto.Language is not defined)");
  return language;
}

function load(): NonNullable<typeof language> {
  if (language) return language;
  const kusto = kustoLanguage();
  const kinds = new Map<number, string>();
  for (const [name, value] of Object.entries(kusto.Syntax.SyntaxKind)) {
    if (typeof value === "number") kinds.set(value, name);
  }
  language = { kusto, kinds };
  return language;
}

/** The syntax tree of a KQL query, as the Kusto language service parses it (no schema: names stay unresolved). */
export function parseKql(query: string): KqlParse {
  const { kusto } = load();
  const root = kusto.Parsing.QueryParser.ParseQuery$1(query, null);
  const diagnostics = root.GetContainedDiagnostics();
  const errors: string[] = [];
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    if (d.Severity === "Error") errors.push(`${d.Code} ${d.Message}`);
  }
  return { root, errors };
}

/** The name of a node's SyntaxKind ("PipeExpression", "FilterOperator", ...), or "" for a node of no parse. */
export function kindOf(node: KqlNode | null | undefined): string {
  if (!node || !language) return "";
  return language.kinds.get(node.Kind) ?? `kind ${node.Kind}`;
}

/** The elements of a SyntaxList (unwrapping SeparatedElement). */
export function listOf(list: unknown): KqlNode[] {
  const l = list as KqlNode | null | undefined;
  const out: KqlNode[] = [];
  if (!l || typeof l.getItem !== "function") return out;
  for (let i = 0; i < (l.Count ?? 0); i++) {
    const item = l.getItem(i);
    if (!item) continue;
    const element = "Element" in item ? (item.Element as KqlNode | null) : item;
    if (element) out.push(element);
  }
  return out;
}

/** The direct child nodes of a node. */
export function childrenOf(node: KqlNode): KqlNode[] {
  const out: KqlNode[] = [];
  if (node.IsToken) return out;
  for (let i = 0; i < node.ChildCount; i++) {
    const child = node.GetChild(i);
    if (child) out.push(child);
  }
  return out;
}

/** Every node under `node` (itself included), depth first. */
export function descendantsOf(node: KqlNode): KqlNode[] {
  const out: KqlNode[] = [node];
  for (const child of childrenOf(node)) out.push(...descendantsOf(child));
  return out;
}
