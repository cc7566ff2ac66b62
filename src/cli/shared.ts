// The modules the commands that read or write results share, loaded once before parsing (src/cli/main.ts decides
// when). This module imports none of them itself: `policies` and the top-level --help never load them.

async function load() {
  const [config, options, outputs, clouds, previous] = await Promise.all([
    import("./config.js"),
    import("./options.js"),
    import("../report/outputs.js"),
    import("../azure/clouds.js"),
    import("./previous.js"),
  ]);
  return {
    ...config,
    ...options,
    loadPreviousPack: previous.loadPreviousPack,
    checkOrder: previous.checkOrder,
    CLOUD_NAMES: clouds.CLOUD_NAMES,
    CLOUDS: clouds.CLOUDS,
    FORMATS: Object.keys(outputs.FORMAT_FILES).join(","),
  };
}

/**
 * What the commands that read or write results need: the configuration, the option checks, the formats and the
 * clouds. Set by `loadShared()`, before parsing, for every command but `policies` (and for none when no command is
 * named: the top-level --help), so that listing policies loads none of it.
 */
export let shared: Awaited<ReturnType<typeof load>>;

export async function loadShared(): Promise<void> {
  shared = await load();
}
