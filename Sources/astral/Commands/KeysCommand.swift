import ArgumentParser
import Enforcement
import Foundation
import Storage

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it once.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The tenant.") var tenant: String = "default"
        @Option(help: "admin, agent or auditor.") var role: String
        @Option(help: "A label.") var name: String?

        func validate() throws {
            guard Role(rawValue: role) != nil else { throw ValidationError("--role must be admin, agent or auditor") }
        }

        func run() async throws {
            let governance = try OfflineStore.open(global)
            let (material, record) = try await OfflineStore.mapErrors {
                try await governance.createKey(tenant: tenant, role: Role(rawValue: role)!, name: name, actor: "cli")
            }
            OfflineStore.printJSON([
                "id": .string(record.id), "tenant": .string(record.tenantID), "role": .string(record.role.rawValue),
                "name": .string(record.name), "key": .string(material.rawKey),
            ])
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a tenant's keys (never the raw keys).")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The tenant.") var tenant: String = "default"

        func run() async throws {
            let governance = try OfflineStore.open(global)
            let keys = try await OfflineStore.mapErrors { () -> [APIKeyRecord] in
                guard try await governance.runner.read({ db in try TenantStore.exists(db, id: tenant) }) else {
                    throw CommandFailure("tenant '\(tenant)' does not exist")
                }
                return try await governance.keys(tenant: tenant)
            }
            OfflineStore.printJSON(["keys": .array(keys.map { key in
                [
                    "id": .string(key.id), "tenant": .string(key.tenantID), "name": .string(key.name),
                    "role": .string(key.role.rawValue), "prefix": .string(key.prefix),
                    "created_at": .string(EventRecord.rfc3339(key.createdAt)),
                    "revoked_at": key.revokedAt.map { .string(EventRecord.rfc3339($0)) } ?? .null,
                ]
            })])
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by id.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The tenant.") var tenant: String = "default"
        @Argument(help: "The key id (key_...).") var id: String

        func run() async throws {
            let governance = try OfflineStore.open(global)
            let record = try await OfflineStore.mapErrors { try await governance.revokeKey(tenant: tenant, id: id, actor: "cli") }
            OfflineStore.printJSON(["id": .string(record.id), "revoked_at": .string(EventRecord.rfc3339(record.revokedAt ?? Date()))])
        }
    }
}
