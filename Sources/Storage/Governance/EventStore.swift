import Foundation
import GRDB

/// One recorded event: an inline decision, an externally decided event, or an
/// administrative change. Append-only.
public struct EventRecord: Sendable, Hashable {
    /// What produced the event.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Decided inline by `/api/v1/enforce`.
        case decision
        /// Decided elsewhere and submitted in a batch.
        case external
        /// An administrative change (policy, key, configuration).
        case admin
    }

    /// The event id (a UUID).
    public var id: String
    /// The owning tenant.
    public var tenantID: String
    /// What produced it.
    public var kind: Kind
    /// When it happened.
    public var occurredAt: Date
    /// `api`, `browser`, `desktop`, `agent` or `mcp`.
    public var surface: String?
    /// Who acted (a person or a key).
    public var actor: String?
    /// The AI provider.
    public var provider: String?
    /// The model.
    public var model: String?
    /// `request` or `response`.
    public var direction: String?
    /// `allow`, `redact`, `warn`, `challenge` or `block`; for admin events the action name.
    public var decision: String?
    /// The bundle revision that decided.
    public var policyVersion: String?
    /// Time spent deciding, in microseconds.
    public var latencyMicroseconds: Int64?
    /// `closed` or `open` when the tenant's fail-mode decided instead of the policy; `nil` when the check ran.
    public var failMode: String?
    /// HMAC-SHA-256 (hex) of the content under the tenant's content key.
    public var contentHMAC: String?
    /// The raw content, only when the tenant opted in to retention.
    public var content: String?
    /// The policy input document (or the admin change's details).
    public var input: JSONValue
    /// Why the decision was made.
    public var reasons: [String]
    /// The ledger leaf index of this event.
    public var ledgerIndex: Int64?
    /// The insertion sequence (set by the store).
    public var sequence: Int64?

    /// Creates an event.
    public init(
        id: String, tenantID: String, kind: Kind, occurredAt: Date, surface: String? = nil, actor: String? = nil,
        provider: String? = nil, model: String? = nil, direction: String? = nil, decision: String? = nil,
        policyVersion: String? = nil, latencyMicroseconds: Int64? = nil, failMode: String? = nil,
        contentHMAC: String? = nil, content: String? = nil, input: JSONValue, reasons: [String] = [],
        ledgerIndex: Int64? = nil, sequence: Int64? = nil
    ) {
        self.id = id
        self.tenantID = tenantID
        self.kind = kind
        self.occurredAt = occurredAt
        self.surface = surface
        self.actor = actor
        self.provider = provider
        self.model = model
        self.direction = direction
        self.decision = decision
        self.policyVersion = policyVersion
        self.latencyMicroseconds = latencyMicroseconds
        self.failMode = failMode
        self.contentHMAC = contentHMAC
        self.content = content
        self.input = input
        self.reasons = reasons
        self.ledgerIndex = ledgerIndex
        self.sequence = sequence
    }

    /// The event as the JSON record committed to the ledger: everything but the raw content.
    public var ledgerRecord: JSONValue {
        var record: [String: JSONValue] = [
            "type": .string("event"),
            "event_id": .string(id),
            "tenant": .string(tenantID),
            "kind": .string(kind.rawValue),
            "time": .string(EventRecord.rfc3339(occurredAt)),
            "input": input,
            "reasons": .array(reasons.map(JSONValue.string)),
        ]
        func put(_ key: String, _ value: String?) { if let value { record[key] = .string(value) } }
        put("surface", surface)
        put("actor", actor)
        put("provider", provider)
        put("model", model)
        put("direction", direction)
        put("decision", decision)
        put("policy_version", policyVersion)
        put("fail_mode", failMode)
        put("content_hmac", contentHMAC)
        if let latencyMicroseconds { record["latency_us"] = .integer(latencyMicroseconds) }
        return .object(record)
    }

    /// RFC 3339 UTC with milliseconds.
    public static func rfc3339(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true)
            .timeSeparator(.colon).timeZone(separator: .omitted))
    }
}

/// Filters for reading events; all optional.
public struct EventQuery: Sendable, Hashable {
    /// Only events at or after this time.
    public var since: Date?
    /// Only events before this time.
    public var until: Date?
    /// Only this decision.
    public var decision: String?
    /// Only this actor.
    public var actor: String?
    /// Only this surface.
    public var surface: String?
    /// Only this kind.
    public var kind: EventRecord.Kind?
    /// Only events older than this sequence (the cursor of the previous page).
    public var beforeSequence: Int64?
    /// Page size.
    public var limit: Int

    /// Creates a query.
    public init(
        since: Date? = nil, until: Date? = nil, decision: String? = nil, actor: String? = nil, surface: String? = nil,
        kind: EventRecord.Kind? = nil, beforeSequence: Int64? = nil, limit: Int = 100
    ) {
        self.since = since
        self.until = until
        self.decision = decision
        self.actor = actor
        self.surface = surface
        self.kind = kind
        self.beforeSequence = beforeSequence
        self.limit = limit
    }
}

/// Appends and reads events.
public enum EventStore {
    /// Appends an event and returns its sequence number.
    @discardableResult
    public static func append(_ db: Database, _ event: EventRecord) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO events (id, tenant_id, kind, occurred_at_ms, surface, actor, provider, model, direction,
                    decision, policy_version, latency_us, fail_mode, content_hmac, content, input_json, reasons_json,
                    ledger_index)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                event.id, event.tenantID, event.kind.rawValue, Identifiers.milliseconds(event.occurredAt),
                event.surface, event.actor, event.provider, event.model, event.direction, event.decision,
                event.policyVersion, event.latencyMicroseconds, event.failMode, event.contentHMAC, event.content,
                event.input.serialized(), JSONValue.array(event.reasons.map(JSONValue.string)).serialized(),
                event.ledgerIndex,
            ])
        return db.lastInsertedRowID
    }

    /// One event of the tenant, or `nil`.
    public static func find(_ db: Database, tenant: String, id: String) throws -> EventRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM events WHERE tenant_id = ? AND id = ?", arguments: [tenant, id])
            .map(record(from:))
    }

    /// Events of the tenant matching `query`, newest first.
    public static func list(_ db: Database, tenant: String, query: EventQuery) throws -> [EventRecord] {
        var sql = "SELECT * FROM events WHERE tenant_id = ?"
        var arguments: StatementArguments = [tenant]
        if let since = query.since {
            sql += " AND occurred_at_ms >= ?"
            arguments += [Identifiers.milliseconds(since)]
        }
        if let until = query.until {
            sql += " AND occurred_at_ms < ?"
            arguments += [Identifiers.milliseconds(until)]
        }
        if let decision = query.decision {
            sql += " AND decision = ?"
            arguments += [decision]
        }
        if let actor = query.actor {
            sql += " AND actor = ?"
            arguments += [actor]
        }
        if let surface = query.surface {
            sql += " AND surface = ?"
            arguments += [surface]
        }
        if let kind = query.kind {
            sql += " AND kind = ?"
            arguments += [kind.rawValue]
        }
        if let before = query.beforeSequence {
            sql += " AND seq < ?"
            arguments += [before]
        }
        sql += " ORDER BY seq DESC LIMIT ?"
        arguments += [max(1, min(query.limit, 1000))]
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map(record(from:))
    }

    /// Inline decision events of the tenant since `since`, oldest first, at most `limit`: the stored policy inputs simulation replays.
    public static func decisionInputs(_ db: Database, tenant: String, since: Date, limit: Int) throws -> [EventRecord] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM events WHERE tenant_id = ? AND kind = 'decision' AND occurred_at_ms >= ?
                AND fail_mode IS NULL ORDER BY seq LIMIT ?
                """,
            arguments: [tenant, Identifiers.milliseconds(since), limit]
        ).map(record(from:))
    }

    /// The number of events of the tenant.
    public static func count(_ db: Database, tenant: String) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE tenant_id = ?", arguments: [tenant]) ?? 0
    }

    private static func record(from row: Row) throws -> EventRecord {
        let inputJSON: String = row["input_json"]
        let reasonsJSON: String = row["reasons_json"]
        guard let kind = EventRecord.Kind(rawValue: row["kind"]),
            let input = try? JSONValue.parse(inputJSON),
            let reasons = try? JSONValue.parse(reasonsJSON).arrayValue
        else {
            throw GovernanceError(.corruptRecord, "event row could not be decoded")
        }
        return EventRecord(
            id: row["id"], tenantID: row["tenant_id"], kind: kind,
            occurredAt: Identifiers.date(milliseconds: row["occurred_at_ms"]),
            surface: row["surface"], actor: row["actor"], provider: row["provider"], model: row["model"],
            direction: row["direction"], decision: row["decision"], policyVersion: row["policy_version"],
            latencyMicroseconds: row["latency_us"], failMode: row["fail_mode"], contentHMAC: row["content_hmac"],
            content: row["content"], input: input, reasons: reasons.compactMap(\.stringValue),
            ledgerIndex: row["ledger_index"], sequence: row["seq"])
    }
}
