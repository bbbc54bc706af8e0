import Foundation
import Ledger
import Storage
import Testing

/// One suite, every backend: SQLite and PostgreSQL must behave the same.
@Suite struct StorageConformanceTests {
    @Test(arguments: StorageBackend.allCases)
    func tenantsAndKeys(_ backend: StorageBackend) async throws {
        let open = try await OpenStorage.open(backend)
        defer { Task { await open.close() } }
        let storage = open.storage
        let acme = uniqueTenant("acme")
        let globex = uniqueTenant("globex")
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        let created = try await storage.createTenant(id: acme, name: "Acme Corp", contentKey: "00ff", now: now)
        #expect(created == Tenant(id: acme, name: "Acme Corp", createdAt: now))
        await #expect(throws: GovernanceError(.tenantExists, "")) {
            try await storage.createTenant(id: acme, name: nil, contentKey: "00", now: now)
        }
        await #expect(throws: GovernanceError(.invalidName, "")) {
            try await storage.createTenant(id: "Bad Name", name: nil, contentKey: "00", now: now)
        }
        _ = try await storage.createTenant(id: globex, name: nil, contentKey: "11", now: now)
        #expect(try await storage.tenant(id: acme) == created)
        #expect(try await storage.tenant(id: uniqueTenant("none")) == nil)
        let listed = try await storage.tenants().map(\.id)
        #expect(listed.contains(acme) && listed.contains(globex))
        #expect(listed == listed.sorted())
        #expect(try await storage.contentKey(tenant: acme) == "00ff")
        #expect(try await storage.contentKey(tenant: globex) == "11")
        await #expect(throws: GovernanceError(.tenantNotFound, "")) {
            try await storage.contentKey(tenant: uniqueTenant("none"))
        }

        let hash = UUID().uuidString
        await #expect(throws: GovernanceError(.tenantNotFound, "")) {
            try await storage.createAPIKey(
                tenant: uniqueTenant("none"), id: UUID().uuidString, name: "n", role: .admin, keyHash: UUID().uuidString,
                prefix: "p", now: now)
        }
        let keyID = "key_" + UUID().uuidString
        let key = try await storage.createAPIKey(
            tenant: acme, id: keyID, name: "ci", role: .agent, keyHash: hash, prefix: "ak_x", now: now)
        #expect(try await storage.activeAPIKey(keyHash: hash) == key)
        #expect(try await storage.activeAPIKey(keyHash: UUID().uuidString) == nil)
        #expect(try await storage.apiKeys(tenant: acme) == [key])
        #expect(try await storage.apiKeys(tenant: globex).isEmpty)
        // Another tenant cannot revoke it.
        await #expect(throws: GovernanceError(.keyNotFound, "")) {
            try await storage.revokeAPIKey(tenant: globex, id: keyID, now: now)
        }
        let later = now.addingTimeInterval(60)
        let revoked = try await storage.revokeAPIKey(tenant: acme, id: keyID, now: later)
        #expect(revoked.revokedAt == later)
        #expect(try await storage.revokeAPIKey(tenant: acme, id: keyID, now: later.addingTimeInterval(60)).revokedAt == later)
        #expect(try await storage.activeAPIKey(keyHash: hash) == nil)
    }

    @Test(arguments: StorageBackend.allCases)
    func policiesAndBundles(_ backend: StorageBackend) async throws {
        let open = try await OpenStorage.open(backend)
        defer { Task { await open.close() } }
        let storage = open.storage
        let tenant = uniqueTenant()
        let now = Date(timeIntervalSince1970: 1_750_000_000)
        _ = try await storage.createTenant(id: tenant, name: nil, contentKey: "00", now: now)
        let v1 = try await storage.createPolicy(tenant: tenant, id: "pii", module: "package a", now: now)
        #expect(v1 == PolicyVersion(policyID: "pii", version: 1, module: "package a", createdAt: now))
        await #expect(throws: GovernanceError(.policyExists, "")) {
            try await storage.createPolicy(tenant: tenant, id: "pii", module: "x", now: now)
        }
        await #expect(throws: GovernanceError(.invalidName, "")) {
            try await storage.createPolicy(tenant: tenant, id: "Bad Id", module: "x", now: now)
        }
        let v2 = try await storage.updatePolicy(tenant: tenant, id: "pii", replacing: 1, module: "package b", now: now)
        #expect(v2.version == 2)
        await #expect(throws: GovernanceError(.versionConflict, "")) {
            try await storage.updatePolicy(tenant: tenant, id: "pii", replacing: 1, module: "package c", now: now)
        }
        #expect(try await storage.policyVersion(tenant: tenant, id: "pii", version: nil).module == "package b")
        #expect(try await storage.policyVersion(tenant: tenant, id: "pii", version: 1).module == "package a")
        await #expect(throws: GovernanceError(.policyNotFound, "")) {
            try await storage.policyVersion(tenant: tenant, id: "pii", version: 9)
        }
        #expect(try await storage.policyVersions(tenant: tenant, id: "pii") == [1, 2])
        _ = try await storage.createPolicy(tenant: tenant, id: "extra", module: "package e", now: now)

        #expect(try await storage.activeBundle(tenant: tenant) == nil)
        let config: Storage.JSONValue = .object(["fail_mode": .string("closed")])
        let bundle = try await storage.appendBundle(
            tenant: tenant, members: [BundleMember(policyID: "pii", version: 1)], configuration: config, now: now)
        #expect(bundle.revision == 1)
        #expect(try await storage.activeBundle(tenant: tenant) == bundle)
        #expect(try await storage.modules(of: bundle) == ["pii.rego": "package a"])
        let summaries = try await storage.policies(tenant: tenant)
        #expect(summaries.map(\.id) == ["extra", "pii"])
        #expect(summaries.map(\.activeVersion) == [nil, 1])
        #expect(summaries.map(\.latestVersion) == [1, 2])
        await #expect(throws: GovernanceError(.policyActive, "")) {
            try await storage.deletePolicy(tenant: tenant, id: "pii", now: now)
        }
        try await storage.deletePolicy(tenant: tenant, id: "extra", now: now)
        #expect(try await storage.policies(tenant: tenant).map(\.id) == ["pii"])
        await #expect(throws: GovernanceError(.policyNotFound, "")) {
            try await storage.policyVersion(tenant: tenant, id: "extra", version: nil)
        }
        // A deleted id continues its history.
        #expect(try await storage.createPolicy(tenant: tenant, id: "extra", module: "again", now: now).version == 2)
        let second = try await storage.appendBundle(tenant: tenant, members: [], configuration: .object([:]), now: now)
        #expect(second.revision == 2)
        // Another tenant sees none of it.
        let other = uniqueTenant()
        _ = try await storage.createTenant(id: other, name: nil, contentKey: "00", now: now)
        #expect(try await storage.policies(tenant: other).isEmpty)
        #expect(try await storage.activeBundle(tenant: other) == nil)
        await #expect(throws: GovernanceError(.policyNotFound, "")) {
            try await storage.policyVersion(tenant: other, id: "pii", version: 1)
        }
    }

    @Test(arguments: StorageBackend.allCases)
    func eventsAndTheirLedger(_ backend: StorageBackend) async throws {
        let open = try await OpenStorage.open(backend)
        defer { Task { await open.close() } }
        let storage = open.storage
        let acme = uniqueTenant("acme")
        let globex = uniqueTenant("globex")
        let start = Date()
        for tenant in [acme, globex] {
            _ = try await storage.createTenant(id: tenant, name: nil, contentKey: "00", now: start)
        }
        // Batches of both tenants interleaved, crossing a tile boundary (256 leaves).
        var acmeEvents: [EventRecord] = []
        for batch in [1, 3, 300, 2] {
            var events: [EventRecord] = []
            for i in 0..<batch {
                events.append(sampleEvent(acme, decision: i % 3 == 0 ? "block" : "allow", actor: "a\(i % 2)"))
                if i % 50 == 0 { events.append(sampleEvent(globex)) }
            }
            let stored = try await storage.appendEvents(events)
            #expect(stored.map(\.id) == events.map(\.id))
            #expect(stored.allSatisfy { $0.sequence != nil && $0.ledgerIndex != nil })
            acmeEvents += stored.filter { $0.tenantID == acme }
        }
        #expect(acmeEvents.map(\.ledgerIndex) == (0..<acmeEvents.count).map { Int64($0) })
        #expect(try await storage.eventCount(tenant: acme) == acmeEvents.count)
        let globexCount = try await storage.eventCount(tenant: globex)
        #expect(globexCount == 1 + 1 + 6 + 1)

        let probe = acmeEvents[17]
        #expect(try await storage.event(tenant: acme, id: probe.id) == probe)
        #expect(try await storage.event(tenant: globex, id: probe.id) == nil)

        let newest = try await storage.events(tenant: acme, query: EventQuery(limit: 5))
        #expect(newest.map(\.id) == acmeEvents.suffix(5).reversed().map(\.id))
        let page2 = try await storage.events(tenant: acme, query: EventQuery(beforeSequence: newest.last?.sequence, limit: 5))
        #expect(page2.map(\.id) == acmeEvents.dropLast(5).suffix(5).reversed().map(\.id))
        let blocks = try await storage.events(tenant: acme, query: EventQuery(decision: "block", actor: "a0", limit: 1000))
        #expect(Set(blocks.map(\.id)) == Set(acmeEvents.filter { $0.decision == "block" && $0.actor == "a0" }.map(\.id)))
        let future = try await storage.events(tenant: acme, query: EventQuery(since: start.addingTimeInterval(3600)))
        #expect(future.isEmpty)

        // The ledger holds exactly the events' leaves, provably.
        let leafHashes = try acmeEvents.map { try $0.ledgerLeaf().leafHash }
        let size = UInt64(leafHashes.count)
        let tree = try await storage.ledgerTree(tenant: acme)
        #expect(tree == TreeState(size: size, root: Merkle.root(leafHashes: leafHashes)))
        for index in [0, 1, 255, 256, Int(size) - 1] {
            for proofSize in [UInt64(index) + 1, size] {
                let proof = try await storage.inclusionProof(tenant: acme, index: UInt64(index), size: proofSize)
                try ProofVerifier.verifyInclusion(
                    leafHash: leafHashes[index], index: UInt64(index), size: proofSize, proof: proof.proof,
                    root: Merkle.root(leafHashes: leafHashes.prefix(Int(proofSize))))
            }
        }
        for from in [1, 3, 256, 257] {
            let proof = try await storage.consistencyProof(tenant: acme, from: UInt64(from), to: size)
            try ProofVerifier.verifyConsistency(
                size1: UInt64(from), size2: size, root1: Merkle.root(leafHashes: leafHashes.prefix(from)), root2: tree.root,
                proof: proof.proof)
        }
        await #expect(throws: StorageError(.outOfRange, "")) {
            try await storage.inclusionProof(tenant: acme, index: size, size: nil)
        }
        await #expect(throws: StorageError(.outOfRange, "")) {
            try await storage.consistencyProof(tenant: acme, from: 1, to: size + 1)
        }
        let records = try await storage.ledgerRecords(tenant: acme, from: 5, limit: 2)
        #expect(records.map(\.index) == [5, 6])
        #expect(records.map(\.leafHash) == Array(leafHashes[5...6]))
        #expect(records.first?.canonicalJSON == (try acmeEvents[5].ledgerLeaf().canonicalJSON))

        #expect(try await storage.latestCheckpoint(tenant: acme) == nil)
        let checkpoint = try await storage.signCheckpoint(tenant: acme)
        #expect(checkpoint.size == size && checkpoint.root == tree.root)
        let signer = try NoteSigner(name: "test.example", seed: Array(repeating: 7, count: 32))
        let parsed = try Checkpoint.verified(
            note: checkpoint.note, key: signer.verifierKey, expectedOrigin: "test.example/\(acme)")
        #expect(parsed.size == size)
        #expect(try await storage.signCheckpoint(tenant: acme) == checkpoint)
        #expect(try await storage.latestCheckpoint(tenant: acme) == checkpoint)
        #expect(try await storage.ledgerTree(tenant: globex).size == UInt64(globexCount))
    }

    @Test(arguments: StorageBackend.allCases)
    func concurrentAppendsBuildOneTree(_ backend: StorageBackend) async throws {
        let open = try await OpenStorage.open(backend)
        defer { Task { await open.close() } }
        let storage = open.storage
        let tenant = uniqueTenant()
        _ = try await storage.createTenant(id: tenant, name: nil, contentKey: "00", now: Date())
        let stored = try await withThrowingTaskGroup(of: [EventRecord].self) { group in
            for _ in 0..<16 {
                group.addTask { try await storage.appendEvents((0..<5).map { _ in sampleEvent(tenant) }) }
            }
            var all: [EventRecord] = []
            for try await batch in group { all += batch }
            return all
        }
        let indexes = stored.compactMap(\.ledgerIndex).sorted()
        #expect(indexes == (0..<80).map { Int64($0) })
        let byIndex = Dictionary(uniqueKeysWithValues: stored.map { ($0.ledgerIndex ?? -1, $0) })
        let leafHashes = try (0..<80).map { index in
            try #require(byIndex[Int64(index)]).ledgerLeaf().leafHash
        }
        #expect(try await storage.ledgerTree(tenant: tenant).root == Merkle.root(leafHashes: leafHashes))
    }
}
