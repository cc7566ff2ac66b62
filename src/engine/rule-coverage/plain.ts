// The parts of a query's syntax tree that the filter evaluation reads, copied out of the Kusto language service's
// objects into plain data: a rule's shape then holds no object of the service's, so it can be made on a worker thread
// and handed over whole (structured clone keeps the Maps, the Sets and the shared nodes), and the evaluation never
// needs the service itself. A node is copied once however often it is reached (the same object each time).
import { childrenOf, kindOf, type KqlNode } from "../kusto-syntax.js";

/** One syntax node: its kind, its token text, the names and literal it holds, its children, and its named parts. */
export interface PlainNode {
  kind: string;
  token: boolean;
  /** The text the service gives it (a token's). */
  text?: string;
  /** The name a NameReference or NameDeclaration holds. */
  simpleName?: string;
  /** A literal expression's value, as text (the service boxes numbers: Int64, Int32, Double). */
  literal?: string;
  children: PlainNode[];
  left?: PlainNode;
  right?: PlainNode;
  operator?: PlainNode;
  expression?: PlainNode;
  name?: PlainNode;
  argumentList?: PlainNode;
  expressions?: PlainNode;
  /** A list's elements (a separated list's elements without their separators). */
  items?: PlainNode[];
}

/** What a name is bound to where a filter is: a scalar let's value (with its own scope), or a table or function. */
export type PlainBinding = { kind: "scalar"; node: PlainNode; scope: PlainScope } | { kind: "table" | "function" };
export type PlainScope = ReadonlyMap<string, PlainBinding>;

const PARTS = [
  ["Left", "left"],
  ["Right", "right"],
  ["Operator", "operator"],
  ["Expression", "expression"],
  ["Name", "name"],
  ["ArgumentList", "argumentList"],
  ["Expressions", "expressions"],
] as const;

/** Copies nodes and scopes, each once (a let's binding is shared by every scope after it). */
export class Plainer {
  private readonly nodes = new Map<KqlNode, PlainNode>();
  private readonly bindings = new Map<object, PlainBinding>();

  node(source: KqlNode): PlainNode {
    const done = this.nodes.get(source);
    if (done) return done;
    const node: PlainNode = { kind: kindOf(source), token: source.IsToken, children: [] };
    this.nodes.set(source, node);
    if (source.Text !== undefined && source.Text !== null) node.text = String(source.Text);
    if (typeof source.SimpleName === "string") node.simpleName = source.SimpleName;
    if (node.kind.endsWith("LiteralExpression") && source.LiteralValue !== undefined && source.LiteralValue !== null) {
      node.literal = String(source.LiteralValue);
    }
    for (const child of childrenOf(source)) node.children.push(this.node(child));
    for (const [from, to] of PARTS) {
      const part = source[from] as KqlNode | null | undefined;
      if (part && typeof part === "object" && typeof part.IsToken === "boolean") node[to] = this.node(part);
    }
    if (typeof source.getItem === "function") {
      node.items = [];
      for (let i = 0; i < (source.Count ?? 0); i++) {
        const item = source.getItem(i);
        if (!item) continue;
        const element = "Element" in item ? (item.Element as KqlNode | null) : item;
        if (element) node.items.push(this.node(element));
      }
    }
    return node;
  }

  /** A scope of the analysis, with only what the filters read: a scalar's value; that a name is a table or function. */
  scope(
    source: ReadonlyMap<string, { kind: "scalar" | "table" | "function"; node: KqlNode; scope: unknown }>,
  ): PlainScope {
    const out = new Map<string, PlainBinding>();
    for (const [name, binding] of source) out.set(name, this.binding(binding));
    return out;
  }

  private binding(source: { kind: "scalar" | "table" | "function"; node: KqlNode; scope: unknown }): PlainBinding {
    const done = this.bindings.get(source);
    if (done) return done;
    if (source.kind !== "scalar") {
      const binding: PlainBinding = { kind: source.kind };
      this.bindings.set(source, binding);
      return binding;
    }
    // Registered before its scope is copied: the scope holds only earlier bindings, never this one, but a shared
    // binding must come out as one object.
    const binding = { kind: "scalar", node: this.node(source.node), scope: new Map() } as {
      kind: "scalar";
      node: PlainNode;
      scope: Map<string, PlainBinding>;
    };
    this.bindings.set(source, binding);
    const scope = this.scope(source.scope as Parameters<Plainer["scope"]>[0]);
    for (const [name, value] of scope) binding.scope.set(name, value);
    return binding;
  }
}

/** Every node under `node` (itself included), depth first. */
export function plainDescendants(node: PlainNode): PlainNode[] {
  const out: PlainNode[] = [];
  const walk = (n: PlainNode) => {
    out.push(n);
    for (const child of n.children) walk(child);
  };
  walk(node);
  return out;
}
