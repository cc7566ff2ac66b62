// The descendants of a management group, as the SDK lists them (`managementGroups.listDescendants`): which of them are
// subscriptions and which nested management groups. Anything else is a malformed answer, never skipped: a descendant
// the tool cannot place could be a subscription left out of the scan.
import { GUID } from "../../domain/guid.js";
import { idKey } from "../../domain/ids.js";
import { MANAGEMENT_GROUP_TYPE, SUBSCRIPTION_DESCENDANT_TYPES } from "../../domain/management-groups.js";
import { MalformedAnswer } from "./common.js";

/** One descendant, as `DescendantInfo` gives it (`properties` lifted). */
export interface Descendant {
  id?: string;
  type?: string;
  name?: string;
}

export interface Descendants {
  /** The subscription ids under the group, at any depth, in the order listed. */
  subscriptions: string[];
  /** The nested management groups' ids (names), at any depth, in the order listed. */
  managementGroups: string[];
}

const SUBSCRIPTION_TYPES = new Set(SUBSCRIPTION_DESCENDANT_TYPES.map((t) => t.toLowerCase()));

export function descendantsOf(items: readonly Descendant[], groupId: string): Descendants {
  const subscriptions: string[] = [];
  const managementGroups: string[] = [];
  for (const item of items) {
    const type = (item.type ?? "").toLowerCase();
    const name = item.name ?? "";
    const what = `the descendants of management group ${groupId}`;
    if (SUBSCRIPTION_TYPES.has(type)) {
      if (!GUID.test(name) || idKey(item.id ?? "") !== idKey(`/subscriptions/${name}`)) {
        throw new MalformedAnswer(
          `${what} name a subscription '${item.id ?? "(no id)"}' whose name '${name}' is not its subscription id`,
        );
      }
      subscriptions.push(name);
    } else if (type === MANAGEMENT_GROUP_TYPE.toLowerCase()) {
      if (!name) throw new MalformedAnswer(`${what} name a management group without a name`);
      managementGroups.push(name);
    } else {
      throw new MalformedAnswer(
        `${what} hold '${item.id ?? "(no id)"}' of type '${item.type ?? "(none)"}', neither a subscription nor a management group: the group's subscriptions cannot be told`,
      );
    }
  }
  return { subscriptions, managementGroups };
}
