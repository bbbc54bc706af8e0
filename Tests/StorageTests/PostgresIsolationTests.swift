import Foundation
import Ledger
import Logging
import PostgresNIO
import Storage
import Testing

/// Raw SQL against the test database, as the application role or the owner,
/// to show that PostgreSQL itself — not the store's WHERE clauses — keeps
/// tenants apart and the audit tables append-only.
private final class RawConnection: Sendable {
    let client: PostgresClient
    private let runner: Task<Void, Never>
    let logger = Logger(label: "astral.test.postgres")

    init(url: String) throws {
        let components = try #require(URLComponents(string: url))
        let configuration = PostgresClient.Configuration(
            host: try #require(components.host), port: components.port ?? 5432, username: try #require(components.user),
            password: components.password, database: String(components.path.dropFirst()), tls: .disable)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
    }

    func close() async {
        runner.cancel()
        _ = await runner.value
    }

    /// The outcome of one statement in its own transaction (always rolled back).
    enum Outcome: Equatable {
        /// The statement ran; its first column of the first row, as a count.
        case count(Int)
        /// The server refused it with this SQLSTATE.
        case refused(String)
    }

    /// Runs `query` in a transaction with `tenant` set (or none), then rolls back.
    func run(tenant: String?, _ query: PostgresQuery) async throws -> Outcome {
        let logger = self.logger
        return try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                if let tenant {
                    try await connection.query("SELECT set_config('astral.tenant', \(tenant), true)", logger: logger)
                }
                let rows = try await connection.query(query, logger: logger).collect()
                try await connection.query("ROLLBACK", logger: logger)
                return .count(try rows.first.map { try $0.decode(Int.self) } ?? 0)
            } catch let error as PSQLError {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                guard let state = error.serverInfo?[.sqlState] else { throw error }
                return .refused(state)
            }
        }
    }
}

/// PostgreSQL only: isolation and append-only enforced by the database.
@Suite struct PostgresIsolationTests {
    /// Two tenants with rows in every tenant-owned table.
    private func populate() async throws -> (a: String, b: String) {
        try await PostgresTestEnvironment.migrated()
        let signer = try NoteSigner(name: "test.example", seed: Array(repeating: 7, count: 32))
        let storage = try await PostgresStorage(url: try PostgresTestEnvironment.applicationURL(), signer: signer)
        let a = uniqueTenant("a")
        let b = uniqueTenant("b")
        do {
            for tenant in [a, b] {
                _ = try await storage.createTenant(id: tenant, name: nil, contentKey: "00", now: Date())
                _ = try await storage.createAPIKey(
                    tenant: tenant, id: UUID().uuidString, name: "k", role: .admin, keyHash: UUID().uuidString, prefix: "p",
                    now: Date())
                _ = try await storage.createPolicy(tenant: tenant, id: "p", module: "package p", now: Date())
                _ = try await storage.appendBundle(
                    tenant: tenant, members: [BundleMember(policyID: "p", version: 1)], configuration: .object([:]),
                    now: Date())
                _ = try await storage.appendEvents([sampleEvent(tenant), sampleEvent(tenant)])
                _ = try await storage.signCheckpoint(tenant: tenant)
            }
        } catch {
            await storage.shutdown()
            throw error
        }
        await storage.shutdown()
        return (a, b)
    }

    static let tenantOwnedTables = [
        "tenant_secrets", "api_keys", "policies", "policy_versions", "bundle_revisions", "events",
        "ledger_records", "ledger_tiles", "ledger_trees", "ledger_checkpoints",
    ]
    static let appendOnlyTables: Set<String> = [
        "events", "ledger_records", "ledger_checkpoints", "policy_versions", "bundle_revisions",
    ]

    @Test func applicationRoleSeesAndTouchesOnlyItsTenant() async throws {
        let (a, b) = try await populate()
        let app = try RawConnection(url: try PostgresTestEnvironment.applicationURL())
        do {
            // The role itself: no BYPASSRLS, owns none of the tables.
            #expect(
                try await app.run(
                    tenant: nil, "SELECT count(*)::bigint FROM pg_roles WHERE rolname = current_user AND NOT rolbypassrls AND NOT rolsuper")
                    == .count(1))
            #expect(
                try await app.run(tenant: nil, "SELECT count(*)::bigint FROM pg_tables WHERE tableowner = current_user")
                    == .count(0))
            for table in Self.tenantOwnedTables {
                // With A set: its own rows are visible, B's are not.
                #expect(
                    try await app.run(tenant: a, PostgresQuery(unsafeSQL: "SELECT count(*)::bigint FROM \(table)")) != .count(0),
                    "\(table): A sees its own rows")
                #expect(
                    try await app.run(
                        tenant: a, "SELECT count(*)::bigint FROM \(unescaped: table) WHERE tenant_id = \(b)") == .count(0),
                    "\(table): A sees none of B's rows")
                #expect(
                    try await app.run(
                        tenant: a, "SELECT count(*)::bigint FROM \(unescaped: table) WHERE tenant_id <> \(a)") == .count(0),
                    "\(table): A sees only A's rows")
                // Without a tenant: nothing at all.
                #expect(
                    try await app.run(tenant: nil, PostgresQuery(unsafeSQL: "SELECT count(*)::bigint FROM \(table)")) == .count(0),
                    "\(table): no tenant, no rows")
                // UPDATE of B's rows: zero rows where UPDATE is granted, refused where the table is append-only.
                let update = try await app.run(
                    tenant: a,
                    """
                    WITH changed AS (UPDATE \(unescaped: table) SET tenant_id = tenant_id WHERE tenant_id = \(b) RETURNING 1)
                    SELECT count(*)::bigint FROM changed
                    """)
                #expect(
                    update == (Self.appendOnlyTables.contains(table) ? .refused("42501") : .count(0)),
                    "\(table): A's UPDATE of B's rows")
                // DELETE is granted on no table.
                let delete = try await app.run(
                    tenant: a,
                    """
                    WITH gone AS (DELETE FROM \(unescaped: table) WHERE tenant_id = \(b) RETURNING 1)
                    SELECT count(*)::bigint FROM gone
                    """)
                #expect(delete == .refused("42501"), "\(table): A's DELETE of B's rows")
                // Writing a row for B while A is set violates the policy's WITH CHECK (or the grant).
                if !Self.appendOnlyTables.contains(table) {
                    let moved = try await app.run(
                        tenant: a,
                        """
                        WITH changed AS (UPDATE \(unescaped: table) SET tenant_id = \(b) WHERE tenant_id = \(a) RETURNING 1)
                        SELECT count(*)::bigint FROM changed
                        """)
                    #expect(moved == .refused("42501"), "\(table): A cannot hand rows to B")
                }
            }
            // Events and ledger rows cannot be changed even in one's own tenant.
            for table in Self.appendOnlyTables.sorted() {
                #expect(
                    try await app.run(tenant: a, "UPDATE \(unescaped: table) SET tenant_id = tenant_id WHERE tenant_id = \(a)")
                        == .refused("42501"), "\(table): UPDATE refused")
                #expect(
                    try await app.run(tenant: a, "DELETE FROM \(unescaped: table) WHERE tenant_id = \(a)") == .refused("42501"),
                    "\(table): DELETE refused")
            }
            // Inserting a row for another tenant is refused by the policy.
            #expect(
                try await app.run(
                    tenant: a,
                    "INSERT INTO ledger_trees (tenant_id, size, root) VALUES (\(uniqueTenant()), 0, \(Data(count: 32)))")
                    == .refused("42501"))
            // Event partitions are not readable around the parent's policy.
            let partition = "events_" + String(EventRecord.rfc3339(Date()).prefix(7).replacingOccurrences(of: "-", with: ""))
            #expect(
                try await app.run(tenant: a, PostgresQuery(unsafeSQL: "SELECT count(*)::bigint FROM \(partition)"))
                    == .refused("42501"))
        } catch {
            await app.close()
            throw error
        }
        await app.close()
    }

    @Test func ownerIsBoundByForcedPoliciesAndTheAppendOnlyTrigger() async throws {
        let (a, b) = try await populate()
        let owner = try RawConnection(url: try PostgresTestEnvironment.ownerURL())
        do {
            for table in Self.tenantOwnedTables {
                // FORCE ROW LEVEL SECURITY: the owner too sees nothing without a tenant, and none of B's rows as A.
                #expect(
                    try await owner.run(tenant: nil, PostgresQuery(unsafeSQL: "SELECT count(*)::bigint FROM \(table)")) == .count(0),
                    "\(table): owner without tenant")
                #expect(
                    try await owner.run(
                        tenant: a,
                        """
                        WITH gone AS (DELETE FROM \(unescaped: table) WHERE tenant_id = \(b) RETURNING 1)
                        SELECT count(*)::bigint FROM gone
                        """) == .count(0), "\(table): owner as A deletes none of B's rows")
            }
            // The trigger refuses UPDATE and DELETE of append-only rows whoever asks.
            for table in Self.appendOnlyTables.sorted() {
                #expect(
                    try await owner.run(tenant: a, "UPDATE \(unescaped: table) SET tenant_id = tenant_id WHERE tenant_id = \(a)")
                        == .refused("42501"), "\(table): owner UPDATE refused by trigger")
                #expect(
                    try await owner.run(tenant: a, "DELETE FROM \(unescaped: table) WHERE tenant_id = \(a)") == .refused("42501"),
                    "\(table): owner DELETE refused by trigger")
            }
        } catch {
            await owner.close()
            throw error
        }
        await owner.close()
    }

    @Test func aNewerSchemaRefusesToStart() async throws {
        let ownerURL = try PostgresTestEnvironment.ownerURL()
        let name = "astral_scratch_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let owner = try RawConnection(url: ownerURL)
        try await owner.client.query("CREATE DATABASE \(unescaped: name)", logger: owner.logger)
        func url(_ base: String) throws -> String {
            var components = try #require(URLComponents(string: base))
            components.path = "/" + name
            return try #require(components.string)
        }
        do {
            let scratchOwnerURL = try url(ownerURL)
            #expect(try await PostgresMigrator.migrate(ownerURL: scratchOwnerURL) == PostgresMigrator.currentVersion)
            // Running it again is a no-op, through the API and through `astral migrate`.
            #expect(try await PostgresMigrator.migrate(ownerURL: scratchOwnerURL) == PostgresMigrator.currentVersion)
            let migrated = try await AstralBinary.run(["migrate", "--database", scratchOwnerURL])
            #expect(migrated.status == 0, "\(migrated.stderr)")
            #expect(migrated.stdout.contains("schema at version \(PostgresMigrator.currentVersion)"))
            let scratch = try RawConnection(url: scratchOwnerURL)
            try await scratch.client.query(
                "UPDATE astral_schema_version SET version = \(PostgresMigrator.currentVersion + 1)", logger: scratch.logger)
            await scratch.close()
            let signer = try NoteSigner(name: "test.example", seed: Array(repeating: 7, count: 32))
            await #expect(throws: StorageError(.schemaTooNew, "")) {
                let storage = try await PostgresStorage(url: try url(PostgresTestEnvironment.applicationURL()), signer: signer)
                await storage.shutdown()
            }
            await #expect(throws: StorageError(.schemaTooNew, "")) {
                try await PostgresMigrator.migrate(ownerURL: scratchOwnerURL)
            }
            let refused = try await AstralBinary.run(["migrate", "--database", scratchOwnerURL])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("newer than this build knows"))
        } catch {
            _ = try? await owner.client.query("DROP DATABASE \(unescaped: name) WITH (FORCE)", logger: owner.logger)
            await owner.close()
            throw error
        }
        try await owner.client.query("DROP DATABASE \(unescaped: name) WITH (FORCE)", logger: owner.logger)
        await owner.close()
    }

    @Test func twoProcessesShareOneLedgerPerTenant() async throws {
        try await PostgresTestEnvironment.migrated()
        let signer = try NoteSigner(name: "test.example", seed: Array(repeating: 7, count: 32))
        let url = try PostgresTestEnvironment.applicationURL()
        // Two independent connection pools stand for two replicas.
        let first = try await PostgresStorage(url: url, signer: signer)
        let second = try await PostgresStorage(url: url, signer: signer)
        let tenant = uniqueTenant()
        do {
            _ = try await first.createTenant(id: tenant, name: nil, contentKey: "00", now: Date())
            let stored = try await withThrowingTaskGroup(of: [EventRecord].self) { group in
                for i in 0..<12 {
                    let replica = i % 2 == 0 ? first : second
                    group.addTask { try await replica.appendEvents((0..<25).map { _ in sampleEvent(tenant) }) }
                }
                var all: [EventRecord] = []
                for try await batch in group { all += batch }
                return all
            }
            let byIndex = Dictionary(uniqueKeysWithValues: stored.map { ($0.ledgerIndex ?? -1, $0) })
            #expect(byIndex.keys.sorted() == (0..<300).map { Int64($0) })
            let leafHashes = try (0..<300).map { try #require(byIndex[Int64($0)]).ledgerLeaf().leafHash }
            let root = Merkle.root(leafHashes: leafHashes)
            #expect(try await first.ledgerTree(tenant: tenant).root == root)
            #expect(try await second.ledgerTree(tenant: tenant).root == root)
            let checkpoint = try await second.signCheckpoint(tenant: tenant)
            #expect(checkpoint.size == 300 && checkpoint.root == root)
            #expect(try await first.latestCheckpoint(tenant: tenant) == checkpoint)
        } catch {
            await first.shutdown()
            await second.shutdown()
            throw error
        }
        await first.shutdown()
        await second.shutdown()
    }
}
