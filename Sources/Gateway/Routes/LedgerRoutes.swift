import Enforcement
import Foundation
import Hummingbird
import Storage

/// The ledger over HTTP, per tenant of the key (CONTRACTS.md §4).
struct LedgerRoutes {
    let services: GatewayServices

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/api/v1/ledger/checkpoint") { _, context in
            let principal = try context.require(.admin, .auditor)
            let note = try await ledger().checkpoint(tenant: principal.tenantID)
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: note)))
        }
        router.get("/api/v1/ledger/proof/inclusion") { request, context in
            let principal = try context.require(.admin, .auditor)
            guard let index = try request.integerQuery("index"), index >= 0 else { throw Problem.invalidField("index", "is required (a leaf index)") }
            let size = try request.integerQuery("size")
            return Response.json(try await ledger().inclusionProof(tenant: principal.tenantID, index: index, size: size))
        }
        router.get("/api/v1/ledger/proof/consistency") { request, context in
            let principal = try context.require(.admin, .auditor)
            guard let from = try request.integerQuery("from"), from >= 0 else { throw Problem.invalidField("from", "is required (a tree size)") }
            guard let to = try request.integerQuery("to"), to >= from else { throw Problem.invalidField("to", "is required (a tree size >= from)") }
            return Response.json(try await ledger().consistencyProof(tenant: principal.tenantID, from: from, to: to))
        }
        router.get("/api/v1/ledger/records") { request, context in
            let principal = try context.require(.admin, .auditor)
            let from = try request.integerQuery("from") ?? 0
            let limit = try request.integerQuery("limit") ?? 100
            guard from >= 0 else { throw Problem.invalidField("from", "must be >= 0") }
            guard (1...1000).contains(limit) else { throw Problem.invalidField("limit", "must be between 1 and 1000") }
            return Response.json(try await ledger().records(tenant: principal.tenantID, from: from, limit: limit))
        }
    }

    private func ledger() throws -> any LedgerReading {
        guard let ledger = services.ledger else {
            throw Problem(.serviceUnavailable, code: "ledger_unavailable", detail: "no ledger is attached to this server")
        }
        return ledger
    }
}
