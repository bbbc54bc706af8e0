import Ledger
import Storage

/// Serves the ledger endpoints from the instance's `LedgerStore`.
public struct StoreLedgerReader: LedgerReading {
    /// The ledger.
    public let store: LedgerStore

    /// Creates the reader.
    public init(store: LedgerStore) { self.store = store }

    /// Signs a checkpoint covering every committed leaf (or returns the latest when it already does).
    public func checkpoint(tenant: String) async throws -> String {
        try await store.signCheckpoint(tenant: tenant).note
    }

    /// The inclusion proof, as `astral ledger prove` prints it.
    public func inclusionProof(tenant: String, index: Int, size: Int?) async throws -> Storage.JSONValue {
        let proof = try await mapped { try await store.inclusionProof(tenant: tenant, index: UInt64(index), size: size.map(UInt64.init)) }
        return [
            "leaf_index": .integer(Int64(proof.leafIndex)), "tree_size": .integer(Int64(proof.treeSize)),
            "leaf_hash": .string(proof.leafHash.hex), "proof": .array(proof.proof.map { .string($0.hex) }),
            "root": .string(proof.root.hex),
        ]
    }

    /// The consistency proof, as `astral ledger consistency` prints it.
    public func consistencyProof(tenant: String, from: Int, to: Int) async throws -> Storage.JSONValue {
        let proof = try await mapped { try await store.consistencyProof(tenant: tenant, from: UInt64(from), to: UInt64(to)) }
        return [
            "size1": .integer(Int64(proof.size1)), "size2": .integer(Int64(proof.size2)), "root1": .string(proof.root1.hex),
            "root2": .string(proof.root2.hex), "proof": .array(proof.proof.map { .string($0.hex) }),
        ]
    }

    /// Records in leaf order: `{"records": [{"leaf_index", "leaf_hash", "record"}], "tree_size"}`.
    public func records(tenant: String, from: Int, limit: Int) async throws -> Storage.JSONValue {
        let records = try await store.records(tenant: tenant, from: UInt64(from), limit: limit)
        let tree = try await store.tree(tenant: tenant)
        return [
            "tree_size": .integer(Int64(tree.size)),
            "records": .array(records.map { record in
                [
                    "leaf_index": .integer(Int64(record.index)), "leaf_hash": .string(record.leafHash.hex),
                    "record": (try? Storage.JSONValue.parse(String(decoding: record.canonicalJSON, as: UTF8.self))) ?? .null,
                ]
            }),
        ]
    }

    /// Leaves across all tenants.
    public func totalLeaves() async throws -> Int {
        var total = 0
        for tenant in try await store.tenants() { total += Int(try await store.tree(tenant: tenant).size) }
        return total
    }

    private func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StorageError where error.code == .outOfRange {
            throw Problem(.badRequest, code: "out_of_range", detail: error.message)
        } catch let error as LedgerError {
            throw Problem(.badRequest, code: "out_of_range", detail: String(describing: error))
        }
    }
}
