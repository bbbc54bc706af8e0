import Foundation
import GRDB
import Storage
import Testing

@Suite struct GovernanceStoreTests {
    func database() throws -> DatabasePool {
        try AppDatabase(dataDirectory: NSTemporaryDirectory() + "astral-storage-tests-" + UUID().uuidString).pool
    }

    func event(_ tenant: String, decision: String = "allow", at date: Date = Date()) -> EventRecord {
        EventRecord(
            id: UUID().uuidString.lowercased(), tenantID: tenant, kind: .decision, occurredAt: date, surface: "api",
            actor: "alice", provider: "openai", direction: "request", decision: decision, policyVersion: "1",
            input: ["findings": []], reasons: ["r"])
    }

    @Test func eventsAreAppendOnlyInTheDatabase() throws {
        let pool = try database()
        try pool.write { db in
            _ = try TenantStore.create(db, id: "acme", contentKey: "00")
            try EventStore.append(db, event("acme"))
            _ = try PolicyStore.create(db, tenant: "acme", id: "p", module: "v1")
        }
        #expect(throws: DatabaseError.self) {
            try pool.write { db in try db.execute(sql: "UPDATE events SET decision = 'block'") }
        }
        #expect(throws: DatabaseError.self) {
            try pool.write { db in try db.execute(sql: "DELETE FROM events") }
        }
        #expect(throws: DatabaseError.self) {
            try pool.write { db in try db.execute(sql: "DELETE FROM policy_versions") }
        }
        #expect(try pool.read { db in try EventStore.count(db, tenant: "acme") } == 1)
    }

    @Test func tenantsAndKeys() throws {
        let pool = try database()
        try pool.write { db in
            _ = try TenantStore.create(db, id: "acme", contentKey: "00")
            #expect(throws: GovernanceError(.tenantExists, "")) { try TenantStore.create(db, id: "acme", contentKey: "00") }
            #expect(throws: GovernanceError(.invalidName, "")) { try TenantStore.create(db, id: "Bad Name", contentKey: "00") }
            #expect(throws: GovernanceError(.tenantNotFound, "")) {
                try APIKeyStore.create(db, tenant: "nope", id: "k0", name: "n", role: .admin, keyHash: "h0", prefix: "p")
            }
            _ = try APIKeyStore.create(db, tenant: "acme", id: "k1", name: "n", role: .agent, keyHash: "h1", prefix: "p")
            #expect(try APIKeyStore.findActive(db, keyHash: "h1")?.tenantID == "acme")
            let revoked = try APIKeyStore.revoke(db, tenant: "acme", id: "k1")
            #expect(revoked.revokedAt != nil)
            #expect(try APIKeyStore.findActive(db, keyHash: "h1") == nil)
            // Another tenant cannot revoke it.
            _ = try TenantStore.create(db, id: "globex", contentKey: "00")
            #expect(throws: GovernanceError(.keyNotFound, "")) { try APIKeyStore.revoke(db, tenant: "globex", id: "k1") }
            #expect(try APIKeyStore.list(db, tenant: "globex").isEmpty)
        }
    }

    @Test func policyVersionsUseOptimisticLocking() throws {
        let pool = try database()
        try pool.write { db in
            _ = try TenantStore.create(db, id: "acme", contentKey: "00")
            _ = try PolicyStore.create(db, tenant: "acme", id: "p", module: "v1")
            let v2 = try PolicyStore.update(db, tenant: "acme", id: "p", replacing: 1, module: "v2")
            #expect(v2.version == 2)
            #expect(throws: GovernanceError(.versionConflict, "")) {
                try PolicyStore.update(db, tenant: "acme", id: "p", replacing: 1, module: "v3")
            }
            #expect(try PolicyStore.version(db, tenant: "acme", id: "p", version: 1).module == "v1")
            let bundle = try PolicyStore.appendBundle(db, tenant: "acme", members: [BundleMember(policyID: "p", version: 2)], configuration: ["x": 1])
            #expect(bundle.revision == 1)
            #expect(try PolicyStore.modules(db, of: bundle) == ["p.rego": "v2"])
            #expect(throws: GovernanceError(.policyActive, "")) { try PolicyStore.delete(db, tenant: "acme", id: "p") }
            #expect(try PolicyStore.list(db, tenant: "acme").first?.activeVersion == 2)
        }
    }

    @Test func eventQueriesFilterByTenantTimeAndDecision() throws {
        let pool = try database()
        let old = Date(timeIntervalSinceNow: -10 * 86_400)
        try pool.write { db in
            _ = try TenantStore.create(db, id: "acme", contentKey: "00")
            _ = try TenantStore.create(db, id: "globex", contentKey: "00")
            try EventStore.append(db, event("acme", decision: "block", at: old))
            try EventStore.append(db, event("acme", decision: "allow"))
            try EventStore.append(db, event("globex", decision: "block"))
        }
        try pool.read { db in
            #expect(try EventStore.list(db, tenant: "acme", query: EventQuery()).count == 2)
            #expect(try EventStore.list(db, tenant: "acme", query: EventQuery(decision: "block")).count == 1)
            #expect(try EventStore.list(db, tenant: "acme", query: EventQuery(since: Date(timeIntervalSinceNow: -86_400))).count == 1)
            #expect(try EventStore.decisionInputs(db, tenant: "acme", since: Date(timeIntervalSinceNow: -86_400), limit: 10).count == 1)
            let stored = try EventStore.list(db, tenant: "acme", query: EventQuery(limit: 1))
            #expect(stored.first?.input == ["findings": []])
            let next = try EventStore.list(db, tenant: "acme", query: EventQuery(beforeSequence: stored.first?.sequence, limit: 1))
            #expect(next.first?.decision == "block")
        }
    }
}
