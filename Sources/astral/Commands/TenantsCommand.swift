import ArgumentParser
import Enforcement
import Foundation
import Storage

struct TenantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenants",
        abstract: "Create and list tenants.",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a tenant with the default policy active.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The tenant id (a-z, 0-9, '-', '_').") var id: String
        @Option(help: "A display name.") var name: String?

        func validate() throws {
            guard Identifiers.isValid(id) else { throw ValidationError("tenant id must be 1-64 characters of a-z, 0-9, '-' or '_'") }
        }

        func run() async throws {
            let governance = try OfflineStore.open(global)
            let tenant = try await OfflineStore.mapErrors { try await governance.createTenant(id: id, name: name, actor: "cli") }
            OfflineStore.printJSON(["id": .string(tenant.id), "name": .string(tenant.name), "created_at": .string(EventRecord.rfc3339(tenant.createdAt))])
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tenants.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let governance = try OfflineStore.open(global)
            let tenants = try await OfflineStore.mapErrors { try await governance.tenants() }
            OfflineStore.printJSON(["tenants": .array(tenants.map { tenant in
                ["id": .string(tenant.id), "name": .string(tenant.name), "created_at": .string(EventRecord.rfc3339(tenant.createdAt))]
            })])
        }
    }
}
