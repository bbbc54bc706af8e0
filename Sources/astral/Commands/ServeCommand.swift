import ArgumentParser

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the decision service."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        throw CommandFailure("'serve' is not available in this build yet")
    }
}
