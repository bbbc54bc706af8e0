import ArgumentParser

struct RegoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rego",
        abstract: "Evaluate, test and format Rego policies."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        throw CommandFailure("'rego' is not available in this build yet")
    }
}
