import ArgumentParser

/// Every top-level subcommand, in the order `astral --help` lists them.
/// Each command lives in its own file under `Commands/`.
enum CommandRegistry {
    static let all: [any ParsableCommand.Type] = [
        ScanCommand.self,
        EvalCommand.self,
        BenchCommand.self,
        RegoCommand.self,
        LedgerCommand.self,
        ServeCommand.self,
        KeysCommand.self,
        TenantsCommand.self,
        MigrateCommand.self,
    ]
}
