import GRDB
import Ledger
import Storage

/// Appends events together with their ledger leaves; call inside one write transaction.
public enum EventRecording {
    /// Appends `event` and its ledger leaf (the event without raw content) and
    /// returns it with its ledger index and sequence set.
    public static func append(_ db: Database, _ event: EventRecord) throws -> EventRecord {
        var stored = event
        let record = try LedgerRecord(json: Array(event.ledgerRecord.serialized().utf8))
        let receipts = try LedgerStore.append(db, tenant: event.tenantID, records: [record])
        stored.ledgerIndex = receipts.first.map { Int64($0.index) }
        stored.sequence = try EventStore.append(db, stored)
        return stored
    }
}
