import Foundation
import Logging
import PostgresNIO

/// Retention of PostgreSQL events: whole monthly partitions are dropped, after
/// their events (the evidence the ledger's leaves refer to, raw content
/// included) are exported to a JSON-lines file.
///
/// Ledger records, tiles, trees and checkpoints are kept: the ledger still
/// verifies after its events' partitions are gone, and the export holds what
/// each leaf was computed from.
public enum PostgresRetention {
    /// One dropped partition.
    public struct Dropped: Sendable, Hashable {
        /// The partition table's name (`events_YYYYMM`).
        public let partition: String
        /// How many events it held (all of them exported).
        public let events: Int
        /// The export file written before the drop.
        public let exportPath: String
    }

    /// Drops every events partition whose month ends at or before the UTC month
    /// of `keepFrom` began, oldest first, exporting each to
    /// `<exportDirectory>/<partition>.jsonl` (written, flushed to disk and
    /// renamed into place) before dropping it. Connects as the schema owner
    /// (`ownerURL`): the application role cannot drop tables.
    public static func apply(
        ownerURL: String, keepFrom: Date, exportDirectory: String, logger: Logger = Logger(label: "astral.postgres")
    ) async throws -> [Dropped] {
        let cutoff = Identifiers.milliseconds(PostgresEvents.monthStart(keepFrom))
        do {
            try FileManager.default.createDirectory(atPath: exportDirectory, withIntermediateDirectories: true)
        } catch {
            throw StorageError(.cannotOpen, "cannot create the export directory \(exportDirectory)")
        }
        let database = PostgresDatabase(try PostgresLocation(url: ownerURL), logger: logger)
        do {
            let partitions = try await database.transaction(tenant: nil) { connection in
                try await connection.rows(
                    """
                    SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'events'::regclass ORDER BY c.relname
                    """, logger: logger
                ).map { try $0["name"].decode(String.self) }
            }
            var dropped: [Dropped] = []
            for name in partitions {
                guard let (start, end) = monthRange(ofPartition: name), end <= cutoff else { continue }
                dropped.append(try await exportAndDrop(name, start: start, database: database, directory: exportDirectory))
            }
            await database.shutdown()
            return dropped
        } catch {
            await database.shutdown()
            throw error
        }
    }

    /// The `[start, end)` milliseconds of a partition named `events_YYYYMM`, or nil for any other name.
    public static func monthRange(ofPartition name: String) -> (Int64, Int64)? {
        let bytes = Array(name.utf8)
        guard name.hasPrefix("events_"), bytes.count == 13,
            bytes[7...].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let year = Int(name.dropFirst(7).prefix(4)), let month = Int(name.suffix(2)), (1...12).contains(month)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let first = calendar.date(from: DateComponents(year: year, month: month, day: 1)) else { return nil }
        return (Identifiers.milliseconds(first), Identifiers.milliseconds(PostgresEvents.nextMonth(first)))
    }

    private static func exportAndDrop(
        _ name: String, start: Int64, database: PostgresDatabase, directory: String
    ) async throws -> Dropped {
        let logger = database.logger
        let path = URL(fileURLWithPath: directory).appendingPathComponent(name + ".jsonl").path
        let partial = path + ".partial"
        return try await database.transaction(tenant: nil) { connection in
            // Hold the partition still: no insert lands between the export and the drop. DROP needs
            // the parent's ACCESS EXCLUSIVE lock too; taking it first, in the order inserts lock
            // (parent, then partition), keeps concurrent appends from deadlocking with us: they
            // wait for this one partition's export instead.
            try await connection.run("LOCK TABLE events, \(unescaped: name) IN ACCESS EXCLUSIVE MODE", logger: logger)
            let rows = try await connection.rows("SELECT * FROM \(unescaped: name) ORDER BY tenant_id, seq", logger: logger)
            var text = ""
            for row in rows {
                let event = try PostgresStorage.event(from: row)
                guard case .object(var record) = event.ledgerRecord else {
                    throw StorageError(.corrupt, "an event of \(name) has no ledger record")
                }
                record["content"] = event.content.map(JSONValue.string) ?? .null
                record["ledger_index"] = event.ledgerIndex.map { .integer($0) } ?? .null
                text += JSONValue.object(record).serialized() + "\n"
            }
            guard FileManager.default.createFile(atPath: partial, contents: Data(text.utf8)),
                let handle = FileHandle(forUpdatingAtPath: partial)
            else {
                throw StorageError(.cannotOpen, "cannot write the export file \(partial)")
            }
            do {
                try handle.synchronize()
                try handle.close()
                if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
                try FileManager.default.moveItem(atPath: partial, toPath: path)
            } catch {
                throw StorageError(.cannotOpen, "cannot write the export file \(path)")
            }
            try await connection.run("DROP TABLE \(unescaped: name)", logger: logger)
            PostgresEvents.knownPartitions.withLock { _ = $0.remove(start) }
            return Dropped(partition: name, events: rows.count, exportPath: path)
        }
    }
}
