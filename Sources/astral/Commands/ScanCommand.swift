import ArgumentParser

struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan text for sensitive data, secrets and prompt injection."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        throw CommandFailure("'scan' is not available in this build yet")
    }
}
