import Enforcement
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

@Suite struct PolicyRouteTests {
    @Test func policiesAreVersionedWithOptimisticLockingAndCompileErrors() async throws {
        let fixture = try await Fixture.make()
        try await fixture.application.test(.router) { client in
            let admin = fixture.headers("acme", .admin)
            let broken = try await client.execute(
                uri: "/api/v1/policies", method: .post, headers: admin, body: JSONValue.object(["id": "extra", "module": "BROKEN"]).buffer)
            #expect(broken.status == .unprocessableContent)
            let errors = broken.body.json["errors"]?.arrayValue ?? []
            #expect(errors.count == 2)
            #expect(errors.first?["line"] == 1)
            #expect(errors.first?["column"] == 1)
            #expect(errors.last?["line"] == 2)

            let created = try await client.execute(
                uri: "/api/v1/policies", method: .post, headers: admin, body: JSONValue.object(["id": "extra", "module": "EMAIL_ADDRESS=warn\n"]).buffer)
            #expect(created.status == .created)
            #expect(created.body.json["version"] == 1)
            let duplicate = try await client.execute(
                uri: "/api/v1/policies", method: .post, headers: admin, body: JSONValue.object(["id": "extra", "module": "x=allow"]).buffer)
            #expect(duplicate.status == .conflict)

            let updated = try await client.execute(
                uri: "/api/v1/policies/extra", method: .put, headers: admin,
                body: JSONValue.object(["module": "EMAIL_ADDRESS=challenge\n", "version": 1]).buffer)
            #expect(updated.status == .ok)
            #expect(updated.body.json["version"] == 2)
            let stale = try await client.execute(
                uri: "/api/v1/policies/extra", method: .put, headers: admin,
                body: JSONValue.object(["module": "EMAIL_ADDRESS=block\n", "version": 1]).buffer)
            #expect(stale.status == .conflict)
            #expect(stale.body.json["code"] == "version_conflict")
            let missingVersion = try await client.execute(
                uri: "/api/v1/policies/extra", method: .put, headers: admin, body: JSONValue.object(["module": "x"]).buffer)
            #expect(missingVersion.body.json["field"] == "version")

            let v1 = try await client.execute(uri: "/api/v1/policies/extra?version=1", method: .get, headers: fixture.headers("acme", .auditor))
            #expect(v1.body.json["module"] == "EMAIL_ADDRESS=warn\n")
            #expect(v1.body.json["versions"] == [1, 2])

            // Not active yet: the decision is unchanged.
            let before = try await client.execute(uri: "/api/v1/enforce", method: .post, headers: admin, body: enforceBody("mail alice@example.com"))
            #expect(before.body.json["decision"] == "allow")
            let activated = try await client.execute(uri: "/api/v1/policies/extra/activate", method: .post, headers: admin, body: ByteBuffer(string: "{}"))
            #expect(activated.status == .ok)
            let version = try #require(activated.body.json["policy_version"]?.stringValue)
            let after = try await client.execute(uri: "/api/v1/enforce", method: .post, headers: admin, body: enforceBody("mail alice@example.com"))
            #expect(after.body.json["decision"] == "challenge")
            #expect(after.body.json["policy_version"] == .string(version))

            let deleteActive = try await client.execute(uri: "/api/v1/policies/extra", method: .delete, headers: admin)
            #expect(deleteActive.status == .conflict)
            _ = try await client.execute(uri: "/api/v1/policies/extra/deactivate", method: .post, headers: admin)
            let deleted = try await client.execute(uri: "/api/v1/policies/extra", method: .delete, headers: admin)
            #expect(deleted.status == .noContent)
            let gone = try await client.execute(uri: "/api/v1/policies/extra", method: .get, headers: admin)
            #expect(gone.status == .notFound)

            let audit = try await client.execute(uri: "/api/v1/events?kind=admin&limit=1000", method: .get, headers: admin)
            let actions = Set(audit.body.json["events"]?.arrayValue?.compactMap { $0["decision"]?.stringValue } ?? [])
            #expect(actions.isSuperset(of: ["policy.create", "policy.update", "policy.activate", "policy.deactivate", "policy.delete"]))
        }
    }

    @Test func simulationReportsChangedDecisionsWithoutActivating() async throws {
        let fixture = try await Fixture.make()
        try await fixture.application.test(.router) { client in
            let admin = fixture.headers("acme", .admin)
            for content in ["plain", "plain again", "ssn 123-45-6789", "card 4111 1111 1111 1111"] {
                _ = try await client.execute(uri: "/api/v1/enforce", method: .post, headers: admin, body: enforceBody(content))
            }
            _ = try await client.execute(
                uri: "/api/v1/policies/default", method: .put, headers: admin,
                body: JSONValue.object(["module": "US_SSN=block\nCREDIT_CARD=redact\n*=allow\n", "version": 2]).buffer)
            let report = try await client.execute(
                uri: "/api/v1/policies/default/simulate", method: .post, headers: admin, body: JSONValue.object(["days": 30]).buffer)
            #expect(report.status == .ok)
            #expect(report.body.json["evaluated"] == 4)
            #expect(report.body.json["changed"] == 1)
            #expect(report.body.json["transitions"] == ["redact→block": 1])
            #expect(report.body.json["samples"]?.arrayValue?.first?["to"] == "block")
            // The active policy is untouched.
            let still = try await client.execute(uri: "/api/v1/enforce", method: .post, headers: admin, body: enforceBody("ssn 123-45-6789"))
            #expect(still.body.json["decision"] == "redact")
            let badDays = try await client.execute(
                uri: "/api/v1/policies/default/simulate", method: .post, headers: admin, body: JSONValue.object(["days": "many"]).buffer)
            #expect(badDays.body.json["field"] == "days")
        }
    }

    @Test func bundleIsAnOPATarballWithETag() async throws {
        let fixture = try await Fixture.make()
        try await fixture.application.test(.router) { client in
            let auditor = fixture.headers("acme", .auditor)
            let first = try await client.execute(uri: "/api/v1/policies/bundle", method: .get, headers: auditor)
            #expect(first.status == .ok)
            #expect(first.headers[.contentType] == "application/gzip")
            let etag = try #require(first.headers[.eTag])
            var headers = auditor
            headers[.ifNoneMatch] = etag
            let cached = try await client.execute(uri: "/api/v1/policies/bundle", method: .get, headers: headers)
            #expect(cached.status == .notModified)

            let files = try Untar.files(gzip: Array(first.body.readableBytesView))
            #expect(files["astral/default.rego"] == Fixture.testPolicy)
            #expect(try JSONValue.parse(files[".manifest"] ?? "")["revision"] == "2")
            #expect(try JSONValue.parse(files["data.json"] ?? "")["astral"]?["config"]?["fail_mode"] == "closed")

            _ = try await client.execute(uri: "/api/v1/config", method: .put, headers: fixture.headers("acme", .admin),
                body: JSONValue.object(["config": ["baa_providers": ["azure-openai"]]]).buffer)
            let changed = try await client.execute(uri: "/api/v1/policies/bundle", method: .get, headers: headers)
            #expect(changed.status == .ok)
            #expect(changed.headers[.eTag] != etag)
        }
    }

    @Test func configurationIsValidatedField() async throws {
        let fixture = try await Fixture.make()
        try await fixture.application.test(.router) { client in
            let admin = fixture.headers("acme", .admin)
            let bad = try await client.execute(uri: "/api/v1/config", method: .put, headers: admin,
                body: JSONValue.object(["config": ["thresholds": ["injection": 7]]]).buffer)
            #expect(bad.status == .badRequest)
            #expect(bad.body.json["field"] == "thresholds.injection")
            let mode = try await client.execute(uri: "/api/v1/config", method: .put, headers: admin,
                body: JSONValue.object(["config": ["fail_mode": "maybe"]]).buffer)
            #expect(mode.body.json["field"] == "fail_mode")
        }
    }
}

/// Reads back the gzip (stored blocks) + ustar archives the bundle route serves.
enum Untar {
    struct Invalid: Error {}

    static func files(gzip: [UInt8]) throws -> [String: String] {
        guard gzip.count > 18, gzip[0] == 0x1f, gzip[1] == 0x8b, gzip[2] == 8 else { throw Invalid() }
        var offset = 10
        var tar: [UInt8] = []
        while true {
            let final = gzip[offset] & 1
            guard gzip[offset] & 0b110 == 0 else { throw Invalid() }  // stored block
            let length = Int(gzip[offset + 1]) | Int(gzip[offset + 2]) << 8
            offset += 5
            tar += gzip[offset..<offset + length]
            offset += length
            if final == 1 { break }
        }
        var files: [String: String] = [:]
        var position = 0
        while position + 512 <= tar.count, tar[position] != 0 {
            let header = tar[position..<position + 512]
            let name = String(decoding: header.prefix(100).prefix { $0 != 0 }, as: UTF8.self)
            let sizeText = String(decoding: header.dropFirst(124).prefix(11), as: UTF8.self)
            guard let size = Int(sizeText, radix: 8) else { throw Invalid() }
            let start = position + 512
            files[name] = String(decoding: tar[start..<start + size], as: UTF8.self)
            position = start + (size + 511) / 512 * 512
        }
        return files
    }
}
