import ArgumentParser

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke API keys."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        throw CommandFailure("'keys' is not available in this build yet")
    }
}
