import ArgumentParser
import Foundation

/// Options every command shares (CONTRACTS.md, common rules).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory (default ./astral-data, or $ASTRAL_DATA_DIR).")
    var dataDir: String?

    /// The data directory after applying the flag > environment > default order.
    var resolvedDataDirectory: String {
        if let dataDir { return dataDir }
        if let env = ProcessInfo.processInfo.environment["ASTRAL_DATA_DIR"], !env.isEmpty { return env }
        return "./astral-data"
    }
}
