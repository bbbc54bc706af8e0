import Crypto

/// `providers.aws.sign_req`: AWS Signature Version 4 over a request object, plus the
/// network builtins (`http.send`, `net.lookup_ip_addr`) that exist but are denied by default.
enum ProviderBuiltins {
    static func hmac(_ key: [UInt8], _ text: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: key)))
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String { CryptoBuiltins.hex(SHA256.hash(data: bytes)) }

    static func setText(_ names: [String]) -> String {
        "{" + names.sorted().map { GoTime.quote($0) }.joined(separator: ", ") + "}"
    }

    /// Splits `scheme://host[:port]/path?query` into host, path and query.
    static func parseURL(_ url: String) -> (host: String, path: String, query: String) {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        let hostEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let host = String(rest[..<hostEnd])
        rest = rest[hostEnd...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var path = rest, query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            path = rest[..<q]
            query = rest[rest.index(after: q)...]
        }
        return (host, String(path), String(query))
    }

    static func signRequest(_ a: [Value]) throws -> Value {
        guard case .object(var request) = a[0] else { throw BuiltinError.operand(0, mustBe: .object(.any, .any), got: a[0]) }
        guard case .object(let config) = a[1] else { throw BuiltinError.operand(1, mustBe: .object(.any, .any), got: a[1]) }
        guard case .number(let timeNumber) = a[2] else { throw BuiltinError.operand(2, mustBe: .number, got: a[2]) }

        let requestKeys = ["method", "url"]
        let missingRequest = requestKeys.filter { request[$0] == nil }
        if !missingRequest.isEmpty {
            throw BuiltinError.type("operand 1 missing required request parameters(s): \(setText(missingRequest))")
        }
        let invalidRequest = requestKeys.filter { request[$0]?.stringValue == nil }
        if !invalidRequest.isEmpty {
            throw BuiltinError.type("operand 1 invalid values for required request parameters(s): \(setText(invalidRequest))")
        }
        let configKeys = ["aws_access_key", "aws_secret_access_key", "aws_service", "aws_region"]
        let missingConfig = configKeys.filter { config[$0] == nil }
        if !missingConfig.isEmpty {
            throw BuiltinError.type("operand 2 missing required AWS config parameters(s): \(setText(missingConfig))")
        }
        let invalidConfig = configKeys.filter { config[$0]?.stringValue == nil }
        if !invalidConfig.isEmpty {
            throw BuiltinError.type("operand 2 invalid values for required AWS config parameters(s): \(setText(invalidConfig))")
        }
        var unsignedPayload = false
        if let flag = config["disable_payload_signing"] {
            guard case .bool(let b) = flag else {
                throw BuiltinError.type("operand 2 invalid value for 'disable_payload_signing' in AWS config")
            }
            unsignedPayload = b
        }
        guard let nanos = timeNumber.intValue, nanos >= 0 else {
            throw BuiltinError.type("operand 3 could not convert time_ns value into a unix timestamp")
        }

        let method = request["method"]!.stringValue!
        let url = request["url"]!.stringValue!
        let accessKey = config["aws_access_key"]!.stringValue!
        let secret = config["aws_secret_access_key"]!.stringValue!
        let service = config["aws_service"]!.stringValue!
        let region = config["aws_region"]!.stringValue!

        var body: [UInt8] = []
        if let raw = request["raw_body"]?.stringValue {
            body = Array(raw.utf8)
        } else if let structured = request["body"] {
            body = Array(JSON.serialize(structured).utf8)
        }
        let payloadHash = unsignedPayload ? "UNSIGNED-PAYLOAD" : sha256Hex(body)

        let time = GoTime(unixNanoseconds: Int64(nanos))
        let amzDate = time.format("20060102T150405Z")
        let day = time.format("20060102")
        let parts = parseURL(url)

        // AWS's own headers first; headers given in the request win, as in OPA's signer.
        var awsHeaders: [String: String] = ["host": parts.host, "x-amz-date": amzDate]
        if service == "s3" || service == "glacier" { awsHeaders["x-amz-content-sha256"] = payloadHash }
        if let token = config["aws_session_token"]?.stringValue { awsHeaders["x-amz-security-token"] = token }
        var headers = awsHeaders
        var original: [(Value, Value)] = []
        if case .object(let given)? = request["headers"] {
            for (k, v) in given.entries {
                guard case .string(let name) = k else { continue }
                headers[name.lowercased()] = v.stringValue ?? JSON.serialize(v)
                original.append((k, v))
            }
        }

        let names = headers.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(headers[$0]!.trimmingSpaces())\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let canonicalRequest = [
            method, parts.path, parts.query,
            canonicalHeaders, signedHeaders, payloadHash,
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(sha256Hex(Array(canonicalRequest.utf8)))"
        var key = hmac(Array(("AWS4" + secret).utf8), day)
        key = hmac(key, region)
        key = hmac(key, service)
        key = hmac(key, "aws4_request")
        let signature = CryptoBuiltins.hex(hmac(key, stringToSign))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope),SignedHeaders=\(signedHeaders),Signature=\(signature)"

        // The returned headers are the request's, overwritten by the ones AWS signing adds (as OPA returns them);
        // a request header that shadows an AWS header is still what got signed.
        var outHeaders = ObjectValue(original.filter { k, _ in
            guard let name = k.stringValue?.lowercased() else { return true }
            return awsHeaders[name] == nil
        })
        for (name, value) in awsHeaders { outHeaders.set(.string(name), .string(value)) }
        outHeaders.set("Authorization", .string(authorization))
        request.set("headers", .object(outHeaders))
        return .object(request)
    }

    /// Request keys OPA's `http.send` accepts.
    static let httpSendKeys: Set<String> = [
        "method", "url", "body", "raw_body", "headers", "enable_redirect", "force_json_decode", "force_yaml_decode",
        "tls_use_system_certs", "tls_ca_cert", "tls_ca_cert_file", "tls_ca_cert_env_variable", "tls_client_cert",
        "tls_client_cert_file", "tls_client_cert_env_variable", "tls_client_key", "tls_client_key_file",
        "tls_client_key_env_variable", "tls_insecure_skip_verify", "tls_server_name", "timeout", "cache",
        "force_cache", "force_cache_duration_seconds", "raise_error", "caching_mode", "max_retry_attempts",
        "cache_ignored_headers",
    ]

    static let all: [Builtin] = [
        Builtin("providers.aws.sign_req", [.object(.string, .any), .object(.string, .any), .number], .object(.string, .any),
                checkOperands: false) { a, _ in
            try signRequest(a)
        },
        Builtin("http.send", [.object(.string, .any)], .object(.any, .any), nondeterministic: true, network: true) { a, context in
            // The request is validated as OPA does before any network access is considered.
            let request = try a.object(0)
            let keys = request.keys.compactMap(\.stringValue)
            let unknown = keys.filter { !httpSendKeys.contains($0) }
            if !unknown.isEmpty { throw BuiltinError.type("invalid request parameters(s): \(setText(unknown))") }
            let missing = ["method", "url"].filter { request[$0] == nil }
            if !missing.isEmpty { throw BuiltinError.type("missing required request parameters(s): \(setText(missing))") }
            guard context.allowNetwork else {
                throw BuiltinError.halt("network access is denied by the capabilities setting")
            }
            throw BuiltinError.halt("HTTP requests are not available in the Rego engine")
        },
        Builtin("net.lookup_ip_addr", [.string], .set(.string), nondeterministic: true, network: true) { a, context in
            let name = try a.string(0)
            // Literal addresses and the reserved `localhost` names (RFC 6761) resolve without asking DNS.
            if let address = IPNetwork.parseAddress(name) {
                return .set(SetValue([.string(IPNetwork.format(address))]))
            }
            let lowered = name.lowercased()
            if lowered == "localhost" || lowered.hasSuffix(".localhost") {
                return .set(SetValue(["127.0.0.1", "::1"]))
            }
            guard context.allowNetwork else {
                throw BuiltinError.builtin("network access is denied by the capabilities setting")
            }
            throw BuiltinError.builtin("DNS resolution is not available in the Rego engine")
        },
    ]
}

extension String {
    func trimmingSpaces() -> String {
        var view = Substring(self)
        while view.first == " " { view = view.dropFirst() }
        while view.last == " " { view = view.dropLast() }
        return String(view)
    }
}
