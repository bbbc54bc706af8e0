import ArgumentParser

struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Append to, prove and verify the evidence ledger."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        throw CommandFailure("'ledger' is not available in this build yet")
    }
}
