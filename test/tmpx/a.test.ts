import { scanInProcess } from "../helpers/scan-in-process.js";
import { startTestSimulator } from "../helpers/simulator.js";
test("x", () => { expect(typeof scanInProcess).toBe("function"); expect(typeof startTestSimulator).toBe("function"); });
