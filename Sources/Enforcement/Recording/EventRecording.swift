import GRDB
import Storage

/// Appends events together with their ledger leaves; call inside one write transaction.
public enum EventRecording {
    /// Appends `event` and returns it with its ledger index and sequence set.
    public static func append(_ db: Database, _ event: EventRecord) throws -> EventRecord {
        var stored = event
        stored.sequence = try EventStore.append(db, stored)
        return stored
    }
}
