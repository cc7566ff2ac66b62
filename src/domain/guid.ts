// The shape of a GUID as Azure writes subscription and tenant ids: 8-4-4-4-12 hexadecimal digits, in either case.

/** The pattern as JSON schemas take it. */
export const GUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/** The pattern as code tests it. */
export const GUID = new RegExp(GUID_PATTERN);
