import ArgumentParser

struct TenantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenants",
        abstract: "Create and list tenants."
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        throw CommandFailure("'tenants' is not available in this build yet")
    }
}
