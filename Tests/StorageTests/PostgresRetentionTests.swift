import Foundation
import Storage
import Testing

/// Retention on PostgreSQL drops whole monthly partitions after exporting their events.
@Suite struct PostgresRetentionTests {
    @Test func oldPartitionsAreExportedThenDroppedAndTheLedgerStays() async throws {
        let open = try await OpenStorage.open(.postgres)
        defer { Task { await open.close() } }
        let storage = open.storage
        let acme = uniqueTenant("acme")
        let globex = uniqueTenant("globex")
        // A month of its own (no other test writes there): March 2001, UTC.
        let old = Date(timeIntervalSince1970: 984_614_400)  // 2001-03-15T00:00:00Z
        for tenant in [acme, globex] {
            _ = try await storage.createTenant(id: tenant, name: nil, contentKey: "00", now: old)
        }
        var oldAcme = sampleEvent(acme, at: old)
        oldAcme.content = "old acme prompt"
        let oldGlobex = sampleEvent(globex, at: old)
        let recent = sampleEvent(acme)
        _ = try await storage.appendEvents([oldAcme, oldGlobex, recent])
        let treeBefore = try await storage.ledgerTree(tenant: acme)

        let directory = NSTemporaryDirectory() + "astral-retention-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Keeping from April 2001 drops March 2001 and leaves every later month.
        let dropped = try await PostgresRetention.apply(
            ownerURL: try PostgresTestEnvironment.ownerURL(), keepFrom: Date(timeIntervalSince1970: 986_083_200),
            exportDirectory: directory)
        let march = try #require(dropped.first { $0.partition == "events_200103" })
        #expect(dropped.map(\.partition) == ["events_200103"])
        #expect(march.events >= 2)

        let lines = try String(contentsOfFile: march.exportPath, encoding: .utf8).split(separator: "\n")
        let exported = try lines.map { line -> [String: JSONValue] in
            let value = try #require(try? JSONValue.parse(String(line)))
            return try #require(value.objectValue)
        }
        let acmeLine = try #require(exported.first { $0["event_id"] == .string(oldAcme.id) })
        #expect(acmeLine["content"] == .string("old acme prompt"))
        #expect(acmeLine["tenant"] == .string(acme))
        #expect(exported.contains { $0["event_id"] == .string(oldGlobex.id) })

        // The events are gone, the recent one stays, and the ledger keeps every leaf.
        #expect(try await storage.event(tenant: acme, id: oldAcme.id) == nil)
        #expect(try await storage.event(tenant: globex, id: oldGlobex.id) == nil)
        #expect(try await storage.event(tenant: acme, id: recent.id) != nil)
        #expect(try await storage.ledgerTree(tenant: acme) == treeBefore)
        let leaves = try await storage.ledgerRecords(tenant: acme, from: 0, limit: 10)
        #expect(leaves.count == 2)

        // Nothing left to drop the second time.
        let again = try await PostgresRetention.apply(
            ownerURL: try PostgresTestEnvironment.ownerURL(), keepFrom: Date(timeIntervalSince1970: 986_083_200),
            exportDirectory: directory)
        #expect(again.isEmpty)

        // `astral migrate --retain-months` does the same from the command line.
        let february = Date(timeIntervalSince1970: 982_195_200)  // 2001-02-15T00:00:00Z
        let oldFebruary = sampleEvent(acme, at: february)
        _ = try await storage.appendEvents([oldFebruary])
        let run = try await AstralBinary.run([
            "migrate", "--database", try PostgresTestEnvironment.ownerURL(), "--retain-months", "12", "--export-dir", directory,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("dropped events_200102"))
        #expect(!run.stdout.contains("dropped events_20" + Self.thisYear))
        #expect(try await storage.event(tenant: acme, id: oldFebruary.id) == nil)
        #expect(try await storage.event(tenant: acme, id: recent.id) != nil)
        let februaryExport = try String(contentsOfFile: directory + "/events_200102.jsonl", encoding: .utf8)
        #expect(februaryExport.contains(oldFebruary.id))
        let refused = try await AstralBinary.run(["migrate", "--database", try PostgresTestEnvironment.ownerURL(), "--retain-months", "3"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--export-dir"))
    }

    /// The last two digits of the current UTC year.
    static var thisYear: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return String(String(calendar.component(.year, from: Date())).suffix(2))
    }

    @Test func onlyMonthlyPartitionNamesHaveARange() {
        #expect(PostgresRetention.monthRange(ofPartition: "events_200103") != nil)
        #expect(PostgresRetention.monthRange(ofPartition: "events_200113") == nil)
        #expect(PostgresRetention.monthRange(ofPartition: "events_2001031") == nil)
        #expect(PostgresRetention.monthRange(ofPartition: "events_x00103") == nil)
    }
}
