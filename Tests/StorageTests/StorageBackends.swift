import Foundation
import Ledger
import Storage
import Testing

/// The storage backends every conformance test runs against.
enum StorageBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// Why a PostgreSQL test cannot run: the throwaway cluster's URLs are missing.
struct MissingPostgresURL: Error, CustomStringConvertible {
    let variable: String
    var description: String {
        "\(variable) is not set: the PostgreSQL tests need a database. Run scripts/test.sh, or "
            + "`scripts/pg-test-cluster.sh swift test` to start a throwaway cluster that sets it."
    }
}

/// The throwaway cluster's URLs (set by scripts/pg-test-cluster.sh).
enum PostgresTestEnvironment {
    /// The schema owner's URL (migrations).
    static func ownerURL() throws -> String { try variable("ASTRAL_TEST_POSTGRES_URL") }
    /// The application role's URL (no BYPASSRLS, not the owner).
    static func applicationURL() throws -> String { try variable("ASTRAL_TEST_POSTGRES_APP_URL") }

    private static func variable(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw MissingPostgresURL(variable: name)
        }
        return value
    }

    /// Migrates the test database once per test process.
    static func migrated() async throws {
        _ = try await migration.value
    }

    private static let migration = Task {
        try await PostgresMigrator.migrate(ownerURL: try ownerURL(), applicationRole: "astral_app")
    }
}

/// One open storage and how to close it.
final class OpenStorage: Sendable {
    let storage: any GovernanceStorage
    private let scratch: String?
    private let postgres: PostgresStorage?

    private init(storage: any GovernanceStorage, scratch: String?, postgres: PostgresStorage?) {
        self.storage = storage
        self.scratch = scratch
        self.postgres = postgres
    }

    /// Opens a fresh SQLite database, or the migrated PostgreSQL test database as the application role.
    static func open(_ backend: StorageBackend, signer: NoteSigner? = nil) async throws -> OpenStorage {
        let signer = try signer ?? NoteSigner(name: "test.example", seed: Array(repeating: 7, count: 32))
        switch backend {
        case .sqlite:
            let path = NSTemporaryDirectory() + "astral-backend-test-" + UUID().uuidString
            let database = try AppDatabase(dataDirectory: path)
            return OpenStorage(storage: SQLiteStorage(database: database, signer: signer), scratch: path, postgres: nil)
        case .postgres:
            try await PostgresTestEnvironment.migrated()
            let storage = try await PostgresStorage(url: try PostgresTestEnvironment.applicationURL(), signer: signer)
            return OpenStorage(storage: storage, scratch: nil, postgres: storage)
        }
    }

    /// Closes connections and removes the SQLite directory.
    func close() async {
        await postgres?.shutdown()
        if let scratch { try? FileManager.default.removeItem(atPath: scratch) }
    }
}

/// A tenant id no other test uses (the PostgreSQL test database is shared by every test).
func uniqueTenant(_ label: String = "t") -> String {
    label + "-" + UUID().uuidString.lowercased().prefix(13).replacingOccurrences(of: "-", with: "")
}

/// An event of `tenant` at `date`.
func sampleEvent(_ tenant: String, decision: String = "allow", actor: String = "alice", at date: Date = Date()) -> EventRecord {
    EventRecord(
        id: UUID().uuidString, tenantID: tenant, kind: .decision,
        occurredAt: Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000),
        surface: "api", actor: actor, provider: "openai", model: "gpt-4o", direction: "request", decision: decision,
        policyVersion: "1", latencyMicroseconds: 42, contentHMAC: "ab", input: .object(["n": .integer(1)]),
        reasons: ["because"])
}
