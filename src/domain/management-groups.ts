// Management groups: how their ids are written, their ARM ids, and how the descendants API types what it lists.

/**
 * A management group id as Azure allows it: 1 to 90 ASCII letters, digits, `-`, `_`, `(`, `)` and `.`, not ending
 * with `.`.
 */
export const MANAGEMENT_GROUP_ID_PATTERN = "^[A-Za-z0-9_().-]{0,89}[A-Za-z0-9_()-]$";

const MANAGEMENT_GROUP_ID = new RegExp(MANAGEMENT_GROUP_ID_PATTERN);

/** What a management group id may be, in words (for usage errors). */
export const MANAGEMENT_GROUP_ID_RULE = "1 to 90 letters, digits, '-', '_', '(', ')' or '.', not ending with '.'";

export const isManagementGroupId = (id: string): boolean => MANAGEMENT_GROUP_ID.test(id);

/** The ARM type of a management group. */
export const MANAGEMENT_GROUP_TYPE = "Microsoft.Management/managementGroups";

/**
 * How the descendants API types a subscription: the REST specification's enum (`ManagementGroupChildType`) says
 * `/subscriptions`, its own example of the descendants answer says `Microsoft.Management/managementGroups/subscriptions`.
 * Both are taken, case-insensitively.
 */
export const SUBSCRIPTION_DESCENDANT_TYPES = ["/subscriptions", "Microsoft.Management/managementGroups/subscriptions"];

/** `/providers/Microsoft.Management/managementGroups/{id}`. */
export const managementGroupResourceId = (id: string): string => `/providers/${MANAGEMENT_GROUP_TYPE}/${id}`;
