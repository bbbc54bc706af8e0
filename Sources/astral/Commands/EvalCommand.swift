import ArgumentParser

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure detection quality on a labelled corpus."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        throw CommandFailure("'eval' is not available in this build yet")
    }
}
