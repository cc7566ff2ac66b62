// After the jest run: the certificates global-setup.mjs made are removed.
import { teardown } from "./global-setup.mjs";

export default teardown;
