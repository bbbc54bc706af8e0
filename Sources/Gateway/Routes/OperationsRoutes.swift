import Enforcement
import Foundation
import Hummingbird
import Storage

/// `/healthz`, `/readyz`, `/metrics`, `/openapi.json`.
struct OperationsRoutes {
    let services: GatewayServices

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/healthz") { _, _ in Response.json(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            // Ready when the database answers and the default tenant's bundle compiles.
            do {
                let tenant = services.configuration.defaultTenant
                let exists = try await services.runner.read { db in try TenantStore.exists(db, id: tenant) }
                if exists {
                    let policy = try await services.governance.policies.active(tenant: tenant)
                    if case .failure = policy.prepared {
                        return Response.json(["status": "not_ready", "reason": "the default tenant's bundle does not compile"], status: .serviceUnavailable)
                    }
                }
                return Response.json(["status": "ready"])
            } catch {
                return Response.json(["status": "not_ready", "reason": "database unavailable"], status: .serviceUnavailable)
            }
        }
        router.get("/metrics") { _, _ in
            let leaves: Int
            if let ledger = services.ledger {
                leaves = (try? await ledger.totalLeaves()) ?? 0
            } else {
                leaves = 0
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: services.metrics.render(ledgerLeaves: leaves))))
        }
        router.get("/openapi.json") { _, _ in Response.json(OpenAPIDocument.document) }
    }
}
