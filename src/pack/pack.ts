// What a signed run adds to its outputs: the snapshot, the recorded evaluation, and the signed manifest over them all.
import type { Result } from "../model/result.js";
import { FORMAT_FILES, PACK_FILES, type PackOutputs } from "../report/outputs.js";
import { signStatement } from "./bundle.js";
import { evaluationBytes, type RecordedEvaluation } from "./evaluation.js";
import { buildStatement } from "./manifest.js";
import type { PackSigner } from "./signer.js";

export interface SignRequest {
  signer: PackSigner;
  /** SHA-256 of the previous pack's manifest file (`--previous DIR`, when that pack is signed). */
  previousManifestSha256?: string;
  /** `--timestamp-url`: the time-stamp authority asked for an RFC 3161 timestamp of the signature. */
  timestampUrl?: URL;
  /** Files written beside the pack and left out of its manifest (the demo's generated key pair). */
  unlisted?: ReadonlyArray<{ name: string; content: Uint8Array; mode: number }>;
}

/** The pack's files for writeOutputs: the snapshot as given (its bytes are what the manifest hashes). */
export function packOutputs(
  result: Result,
  snapshotBytes: Uint8Array,
  recorded: RecordedEvaluation,
  request: SignRequest,
): PackOutputs {
  return {
    files: [
      { name: PACK_FILES.snapshot, content: snapshotBytes },
      { name: PACK_FILES.evaluation, content: evaluationBytes(recorded) },
    ],
    ...(request.unlisted ? { unlisted: request.unlisted } : {}),
    manifestName: PACK_FILES.manifest,
    seal: async (files) =>
      signStatement(
        buildStatement(result, files, {
          resultName: FORMAT_FILES.json,
          ...(request.previousManifestSha256 ? { previous: request.previousManifestSha256 } : {}),
        }),
        request.signer,
        request.timestampUrl
          ? async (signature) => (await import("./timestamp.js")).requestTimestamp(request.timestampUrl!, signature)
          : undefined,
      ),
  };
}
