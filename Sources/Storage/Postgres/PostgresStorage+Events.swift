import Foundation
import Ledger
import Logging
import PostgresNIO
import Synchronization

/// Month arithmetic of the events partitions (UTC calendar months).
enum PostgresEvents {
    private static var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    /// The first instant of `date`'s UTC month.
    static func monthStart(_ date: Date) -> Date {
        utc.dateInterval(of: .month, for: date)?.start ?? date
    }

    /// The first instant of the UTC month after `date`'s.
    static func nextMonth(_ date: Date) -> Date {
        utc.dateInterval(of: .month, for: date)?.end ?? date
    }

    /// Months whose partitions this process already made sure of.
    static let knownPartitions = Mutex(Set<Int64>())

    /// Rows per multi-row INSERT of events (18 parameters each).
    static let eventsPerInsert = 500
    /// Rows per multi-row INSERT of ledger records (4 parameters each).
    static let recordsPerInsert = 1000

    static let columns = """
        id, tenant_id, kind, occurred_at_ms, surface, actor, provider, model, direction, decision, policy_version, \
        latency_us, fail_mode, content_hmac, content, input_json, reasons_json, ledger_index
        """
}

extension PostgresStorage {
    // MARK: - Events

    /// Appends events and their ledger leaves in one transaction: per tenant
    /// (in id order, to avoid lock cycles), the tenant is set, its ledger
    /// sequencer lock taken, its leaves appended and its events inserted with
    /// multi-row INSERTs. All or nothing.
    public func appendEvents(_ events: [EventRecord]) async throws -> [EventRecord] {
        guard !events.isEmpty else { return [] }
        let leaves = try events.map { try $0.ledgerLeaf() }
        try await ensurePartitions(for: events)
        var byTenant: [String: [Int]] = [:]
        for (offset, event) in events.enumerated() {
            try LedgerStore.validate(tenant: event.tenantID)
            byTenant[event.tenantID, default: []].append(offset)
        }
        let logger = self.logger
        let stored = try await database.transaction(tenant: nil) { connection in
            var stored = events
            for tenant in byTenant.keys.sorted() {
                let offsets = byTenant[tenant] ?? []
                try await connection.run("SELECT set_config('astral.tenant', \(tenant), true)", logger: logger)
                try await connection.run(
                    "SELECT pg_advisory_xact_lock(\(Self.ledgerLockClass), hashtext(\(tenant)))", logger: logger)
                let receipts = try await Self.appendLeaves(
                    connection, tenant: tenant, leaves: offsets.map { leaves[$0] }, logger: logger)
                for (offset, receipt) in zip(offsets, receipts) {
                    stored[offset].ledgerIndex = Int64(receipt.index)
                }
                var first = 0
                while first < offsets.count {
                    let chunk = Array(offsets[first..<min(offsets.count, first + PostgresEvents.eventsPerInsert)])
                    let sequences = try await Self.insertEvents(connection, chunk.map { stored[$0] }, logger: logger)
                    for offset in chunk {
                        stored[offset].sequence = sequences[stored[offset].id]
                    }
                    first += chunk.count
                }
            }
            return stored
        }
        return stored
    }

    /// Makes sure the monthly partitions of `events` exist (through the security-definer function).
    private func ensurePartitions(for events: [EventRecord]) async throws {
        let months = Set(events.map { Identifiers.milliseconds(PostgresEvents.monthStart($0.occurredAt)) })
        let missing = PostgresEvents.knownPartitions.withLock { known in months.subtracting(known) }
        guard !missing.isEmpty else { return }
        let logger = self.logger
        for month in missing.sorted() {
            try await database.transaction(tenant: nil) { connection in
                try await connection.run("SELECT astral_ensure_event_partition(\(month))", logger: logger)
            }
        }
        PostgresEvents.knownPartitions.withLock { known in known.formUnion(missing) }
    }

    /// Inserts `events` in one statement; returns each event's sequence by id.
    private static func insertEvents(_ connection: PostgresConnection, _ events: [EventRecord], logger: Logger) async throws
        -> [String: Int64]
    {
        var bindings = PostgresBindings(capacity: events.count * 18)
        var tuples: [String] = []
        tuples.reserveCapacity(events.count)
        var parameter = 0
        for event in events {
            var placeholders: [String] = []
            for _ in 0..<18 {
                parameter += 1
                placeholders.append("$\(parameter)")
            }
            tuples.append("(" + placeholders.joined(separator: ", ") + ")")
            bindings.append(event.id)
            bindings.append(event.tenantID)
            bindings.append(event.kind.rawValue)
            bindings.append(Identifiers.milliseconds(event.occurredAt))
            bindings.append(event.surface)
            bindings.append(event.actor)
            bindings.append(event.provider)
            bindings.append(event.model)
            bindings.append(event.direction)
            bindings.append(event.decision)
            bindings.append(event.policyVersion)
            bindings.append(event.latencyMicroseconds)
            bindings.append(event.failMode)
            bindings.append(event.contentHMAC)
            bindings.append(event.content)
            bindings.append(event.input.serialized())
            bindings.append(JSONValue.array(event.reasons.map(JSONValue.string)).serialized())
            bindings.append(event.ledgerIndex)
        }
        let sql = "INSERT INTO events (\(PostgresEvents.columns)) VALUES " + tuples.joined(separator: ", ")
            + " RETURNING id, seq"
        var sequences: [String: Int64] = [:]
        for row in try await connection.rows(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) {
            sequences[try row["id"].decode(String.self)] = try row["seq"].decode(Int64.self)
        }
        return sequences
    }

    /// One event.
    public func event(tenant: String, id: String) async throws -> EventRecord? {
        let logger = self.logger
        return try await database.transaction(tenant: tenant) { connection in
            try await connection.rows(
                "SELECT * FROM events WHERE tenant_id = \(tenant) AND id = \(id) ORDER BY seq LIMIT 1", logger: logger
            ).first.map(Self.event(from:))
        }
    }

    /// Events matching `query`, newest first.
    public func events(tenant: String, query: EventQuery) async throws -> [EventRecord] {
        var bindings = PostgresBindings()
        var sql = "SELECT * FROM events WHERE tenant_id = $1"
        bindings.append(tenant)
        func add(_ clause: String, _ value: some PostgresDynamicTypeEncodable) {
            bindings.append(value)
            sql += " AND \(clause) $\(bindings.count)"
        }
        if let since = query.since { add("occurred_at_ms >=", Identifiers.milliseconds(since)) }
        if let until = query.until { add("occurred_at_ms <", Identifiers.milliseconds(until)) }
        if let decision = query.decision { add("decision =", decision) }
        if let actor = query.actor { add("actor =", actor) }
        if let surface = query.surface { add("surface =", surface) }
        if let kind = query.kind { add("kind =", kind.rawValue) }
        if let before = query.beforeSequence { add("seq <", before) }
        bindings.append(Int64(max(1, min(query.limit, 1000))))
        sql += " ORDER BY seq DESC LIMIT $\(bindings.count)"
        let statement = PostgresQuery(unsafeSQL: sql, binds: bindings)
        let logger = self.logger
        return try await database.transaction(tenant: tenant) { connection in
            try await connection.rows(statement, logger: logger).map(Self.event(from:))
        }
    }

    /// The number of events of the tenant.
    public func eventCount(tenant: String) async throws -> Int {
        let logger = self.logger
        return try await database.transaction(tenant: tenant) { connection in
            try await connection.rows("SELECT count(*) AS n FROM events WHERE tenant_id = \(tenant)", logger: logger)
                .first.map { try $0["n"].decode(Int.self) } ?? 0
        }
    }

    static func event(from row: PostgresRandomAccessRow) throws -> EventRecord {
        guard let kind = EventRecord.Kind(rawValue: try row["kind"].decode(String.self)),
            let input = try? JSONValue.parse(try row["input_json"].decode(String.self)),
            let reasons = try? JSONValue.parse(try row["reasons_json"].decode(String.self)).arrayValue
        else {
            throw GovernanceError(.corruptRecord, "event row could not be decoded")
        }
        return EventRecord(
            id: try row["id"].decode(String.self), tenantID: try row["tenant_id"].decode(String.self), kind: kind,
            occurredAt: Identifiers.date(milliseconds: try row["occurred_at_ms"].decode(Int64.self)),
            surface: try row["surface"].decode(String?.self), actor: try row["actor"].decode(String?.self),
            provider: try row["provider"].decode(String?.self), model: try row["model"].decode(String?.self),
            direction: try row["direction"].decode(String?.self), decision: try row["decision"].decode(String?.self),
            policyVersion: try row["policy_version"].decode(String?.self),
            latencyMicroseconds: try row["latency_us"].decode(Int64?.self),
            failMode: try row["fail_mode"].decode(String?.self), contentHMAC: try row["content_hmac"].decode(String?.self),
            content: try row["content"].decode(String?.self), input: input, reasons: reasons.compactMap(\.stringValue),
            ledgerIndex: try row["ledger_index"].decode(Int64?.self), sequence: try row["seq"].decode(Int64.self))
    }
}
