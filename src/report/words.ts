// What every renderer calls a run's verdict, by its exit code (the exit codes' meaning is in DESIGN.md).
export const VERDICT: Record<0 | 1 | 3, string> = {
  0: "COMPLIANT",
  1: "NOT COMPLIANT",
  3: "NOT PROVEN",
};
