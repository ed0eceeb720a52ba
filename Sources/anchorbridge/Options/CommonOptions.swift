import AnchorCore
import ArgumentParser
import PlanExecutor

/// `--config FILE`, shared by every command that talks to AD or the tenant.
struct ConfigOptions: ParsableArguments {
  @Option(name: .long, help: "The YAML configuration file (see Schemas/config.schema.json).")
  var config: String

  func load() throws(ConfigurationError) -> Configuration { try Configuration.load(path: config) }
}
