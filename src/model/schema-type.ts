// The TypeScript a JSON schema describes, so that a schema and the interface it validates can be held to each other
// by the compiler (src/model/schemas/): the interfaces document the contract, the schemas enforce it, and neither can
// name a field the other does not.

/**
 * The value a JSON schema (written `as const`) describes, once its defaults are applied: an object property is
 * present when it is `required` or has a `default`, optional otherwise. Covers the keywords this tool's schemas use.
 */
export type FromSchema<S> = S extends { oneOf: readonly (infer B)[] }
  ? FromSchema<B>
  : S extends { enum: readonly (infer E)[] }
    ? E
    : S extends { const: infer C }
      ? C
      : S extends { type: "integer" | "number" }
        ? number
        : S extends { type: "string" }
          ? string
          : S extends { type: "boolean" }
            ? boolean
            : S extends { type: "array"; items: infer I }
              ? FromSchema<I>[]
              : S extends { properties: infer P }
                ? ObjectOf<P, S extends { required: readonly (infer R)[] } ? R : never>
                : S extends { type: "object"; additionalProperties: infer A extends object }
                  ? Record<
                      S extends { propertyNames: { enum: readonly (infer K extends string)[] } } ? K : string,
                      FromSchema<A>
                    >
                  : unknown;

type Present<P, R> = { [K in keyof P]: K extends R ? K : P[K] extends { default: unknown } ? K : never }[keyof P];
type ObjectOf<P, R> = { -readonly [K in Present<P, R>]: FromSchema<P[K]> } & {
  -readonly [K in Exclude<keyof P, Present<P, R>>]?: FromSchema<P[K]>;
};

type KeysOf<T> = T extends unknown ? keyof T : never;
type At<T, K> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;

/**
 * The fields one of two object types names and the other does not, at any depth, as paths (`never` when they name
 * the same fields): `"scope.collection (only in the first)"`. Arrays are compared by their items, unions by all
 * their members' fields.
 */
export type FieldDrift<A, B, Path extends string = ""> = [A] extends [readonly (infer EA)[]]
  ? [B] extends [readonly (infer EB)[]]
    ? FieldDrift<EA, EB, `${Path}[]`>
    : `${Path} (an array in the first only)`
  : [A] extends [object]
    ? [B] extends [object]
      ? | { [K in Exclude<KeysOf<A>, KeysOf<B>>]: `${Path}.${K & string} (only in the first)` }[Exclude<
            KeysOf<A>,
            KeysOf<B>
          >]
        | { [K in Exclude<KeysOf<B>, KeysOf<A>>]: `${Path}.${K & string} (only in the second)` }[Exclude<
            KeysOf<B>,
            KeysOf<A>
          >]
        | {
            [K in KeysOf<A> & KeysOf<B>]: FieldDrift<
              NonNullable<At<A, K>>,
              NonNullable<At<B, K>>,
              `${Path}.${K & string}`
            >;
          }[KeysOf<A> & KeysOf<B>]
      : `${Path} (an object in the first only)`
    : never;
