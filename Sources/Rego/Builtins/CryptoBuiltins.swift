import Crypto
import _CryptoExtras
import Foundation

/// `crypto.*` hashes and HMACs, and `io.jwt.*` (decode, verify, sign) over JWS compact tokens.
enum CryptoBuiltins {
    static let s = BuiltinType.string
    static let b = BuiltinType.boolean

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".unicodeScalars)
        var out = String.UnicodeScalarView()
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 15)]) }
        return String(out)
    }

    static func hmac<H: HashFunction>(_ type: H.Type, _ message: String, _ key: String) -> String {
        let code = HMAC<H>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: Array(key.utf8)))
        return hex(code)
    }

    static let all: [Builtin] = [
        Builtin("crypto.md5", [s], s) { a, _ in .string(hex(Insecure.MD5.hash(data: Array(try a.string(0).utf8)))) },
        Builtin("crypto.sha1", [s], s) { a, _ in .string(hex(Insecure.SHA1.hash(data: Array(try a.string(0).utf8)))) },
        Builtin("crypto.sha256", [s], s) { a, _ in .string(hex(SHA256.hash(data: Array(try a.string(0).utf8)))) },
        Builtin("crypto.hmac.md5", [s, s], s) { a, _ in .string(hmac(Insecure.MD5.self, try a.string(0), try a.string(1))) },
        Builtin("crypto.hmac.sha1", [s, s], s) { a, _ in .string(hmac(Insecure.SHA1.self, try a.string(0), try a.string(1))) },
        Builtin("crypto.hmac.sha256", [s, s], s) { a, _ in .string(hmac(SHA256.self, try a.string(0), try a.string(1))) },
        Builtin("crypto.hmac.sha512", [s, s], s) { a, _ in .string(hmac(SHA512.self, try a.string(0), try a.string(1))) },
        Builtin("crypto.hmac.equal", [s, s], b) { a, _ in
            let x = Array(try a.string(0).utf8), y = Array(try a.string(1).utf8)
            guard x.count == y.count else { return .false }
            var diff: UInt8 = 0
            for (p, q) in zip(x, y) { diff |= p ^ q }
            return .bool(diff == 0)
        },
    ] + JWT.all
}

/// JSON Web Tokens (JWS compact serialisation) as OPA's `io.jwt.*` builtins handle them.
enum JWT {
    static let s = BuiltinType.string
    static let b = BuiltinType.boolean

    struct Token {
        var header: String
        var payload: String
        var signature: String
    }

    static func split(_ value: Value) throws -> Token {
        guard case .string(let text) = value else { throw BuiltinError.operand(0, mustBe: .string, got: value) }
        guard text.contains(".") else { throw BuiltinError.builtin("encoded JWT had no period separators") }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { throw BuiltinError.builtin("encoded JWT must have 3 sections, found \(parts.count)") }
        return Token(header: parts[0], payload: parts[1], signature: parts[2])
    }

    static func base64URLDecode(_ text: String) -> Result<[UInt8], BuiltinError> {
        var input = text
        if !input.hasSuffix("=") {
            switch input.utf8.count % 4 {
            case 0: break
            case 2: input += "=="
            case 3: input += "="
            default: return .failure(.builtin("illegal base64url string: \(text)"))
            }
        }
        return EncodingBuiltins.decodeBase64(input, url: true)
    }

    static func decodePart(_ text: String, what: String) throws -> [UInt8] {
        switch base64URLDecode(text) {
        case .success(let bytes): return bytes
        case .failure(let error): throw BuiltinError.builtin("JWT \(what) had invalid encoding: \(error.message)")
        }
    }

    static func jsonObject(_ bytes: [UInt8]) throws -> ObjectValue {
        let value: Value
        do {
            value = try JSON.parse(bytes: bytes)
        } catch {
            throw BuiltinError.builtin("invalid JSON: \(error)")
        }
        guard case .object(let object) = value else { throw BuiltinError.builtin("decoded JSON type is not an Object") }
        return object
    }

    static func header(_ token: Token) throws -> ObjectValue {
        let object: ObjectValue
        do {
            object = try jsonObject(try decodePart(token.header, what: "header"))
        } catch let error as BuiltinError where error.message.hasPrefix("invalid JSON") || error.message.hasPrefix("decoded") {
            throw BuiltinError.builtin("bad JWT header: \(error.message)")
        }
        if object["enc"] != nil { throw BuiltinError.builtin("JWT is a JWE object, which is not supported") }
        return object
    }

    // MARK: Keys

    enum Key {
        case secret([UInt8])
        case rsaPublic(_RSA.Signing.PublicKey)
        case rsaPrivate(_RSA.Signing.PrivateKey)
        case p256Public(P256.Signing.PublicKey), p384Public(P384.Signing.PublicKey), p521Public(P521.Signing.PublicKey)
        case p256Private(P256.Signing.PrivateKey), p384Private(P384.Signing.PrivateKey), p521Private(P521.Signing.PrivateKey)
        case edPublic(Curve25519.Signing.PublicKey), edPrivate(Curve25519.Signing.PrivateKey)
    }

    struct KeyEntry {
        var key: Key
        var kid: String?
        var alg: String?
    }

    /// One PEM block: its type, DER bytes and whatever follows it.
    static func pemBlock(_ text: String) -> (type: String, der: [UInt8], rest: Substring)? {
        guard let begin = text.range(of: "-----BEGIN ") else { return nil }
        let afterBegin = text[begin.upperBound...]
        guard let typeEnd = afterBegin.range(of: "-----") else { return nil }
        let type = String(afterBegin[..<typeEnd.lowerBound])
        let endMarker = "-----END \(type)-----"
        guard let end = afterBegin.range(of: endMarker) else { return nil }
        let body = afterBegin[typeEnd.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        guard case .success(let der) = EncodingBuiltins.decodeBase64(String(body)) else { return nil }
        var rest = afterBegin[end.upperBound...]
        while let f = rest.first, f.isWhitespace { rest = rest.dropFirst() }
        return (type, der, rest)
    }

    /// Reads a DER TLV at `index`: (tag, content range, end).
    static func tlv(_ der: [UInt8], _ index: Int) -> (UInt8, Range<Int>, Int)? {
        guard index + 1 < der.count else { return nil }
        let tag = der[index]
        var length = Int(der[index + 1])
        var cursor = index + 2
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard count > 0, count <= 4, cursor + count <= der.count else { return nil }
            length = 0
            for k in 0..<count { length = length << 8 | Int(der[cursor + k]) }
            cursor += count
        }
        guard cursor + length <= der.count else { return nil }
        return (tag, cursor..<(cursor + length), cursor + length)
    }

    /// The SubjectPublicKeyInfo DER inside an X.509 certificate.
    static func certificatePublicKeyInfo(_ der: [UInt8]) -> [UInt8]? {
        guard let (t0, cert, _) = tlv(der, 0), t0 == 0x30,
              let (t1, tbs, _) = tlv(der, cert.lowerBound), t1 == 0x30 else { return nil }
        var cursor = tbs.lowerBound
        var fields: [(UInt8, Range<Int>, Int)] = []
        while cursor < tbs.upperBound, let item = tlv(der, cursor) {
            fields.append(item)
            cursor = item.2
        }
        // [0] version is optional; then serial, signature, issuer, validity, subject, spki.
        let offset = fields.first?.0 == 0xA0 ? 1 : 0
        guard fields.count > offset + 5 else { return nil }
        let spki = fields[offset + 5]
        guard spki.0 == 0x30 else { return nil }
        let start = spki.1.lowerBound - headerLength(der, spki)
        return Array(der[start..<spki.2])
    }

    static func headerLength(_ der: [UInt8], _ item: (UInt8, Range<Int>, Int)) -> Int {
        let contentLength = item.1.count
        if contentLength < 128 { return 2 }
        var n = contentLength, bytes = 0
        while n > 0 { bytes += 1; n >>= 8 }
        return 2 + bytes
    }

    static func publicKey(spki der: [UInt8]) -> Key? {
        if let k = rsaPublicKey(der: der) { return .rsaPublic(k) }
        if let k = try? P256.Signing.PublicKey(derRepresentation: der) { return .p256Public(k) }
        if let k = try? P384.Signing.PublicKey(derRepresentation: der) { return .p384Public(k) }
        if let k = try? P521.Signing.PublicKey(derRepresentation: der) { return .p521Public(k) }
        // Ed25519 SubjectPublicKeyInfo: a fixed 12-byte header and the 32-byte key.
        let ed25519Header: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]
        if der.count == 44, Array(der.prefix(12)) == ed25519Header,
           let k = try? Curve25519.Signing.PublicKey(rawRepresentation: der.suffix(32)) {
            return .edPublic(k)
        }
        return nil
    }

    /// An RSA public key from SubjectPublicKeyInfo (rsaEncryption or RSASSA-PSS) or PKCS#1 DER.
    ///
    /// The modulus and exponent are read here and handed to `init(n:e:)`: swift-crypto's
    /// DER initialisers free their key twice when BoringSSL rejects the bytes, which aborts
    /// the process at random, so they are never given bytes that might not be an RSA key.
    static func rsaPublicKey(der: [UInt8]) -> _RSA.Signing.PublicKey? {
        guard let (tag, outer, end) = tlv(der, 0), tag == 0x30, end == der.count else { return nil }
        var pkcs1 = outer
        if let (algTag, algorithm, afterAlgorithm) = tlv(der, outer.lowerBound), algTag == 0x30 {
            // SubjectPublicKeyInfo: AlgorithmIdentifier, then a BIT STRING holding PKCS#1.
            let rsaEncryption: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
            let rsassaPSS: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A]
            guard let (oidTag, oid, _) = tlv(der, algorithm.lowerBound), oidTag == 0x06,
                  [rsaEncryption, rsassaPSS].contains(Array(der[oid])),
                  let (bitsTag, bits, bitsEnd) = tlv(der, afterAlgorithm), bitsTag == 0x03, bitsEnd == outer.upperBound,
                  bits.count > 1, der[bits.lowerBound] == 0,
                  let (innerTag, inner, innerEnd) = tlv(der, bits.lowerBound + 1), innerTag == 0x30, innerEnd == bits.upperBound
            else { return nil }
            pkcs1 = inner
        }
        // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
        guard let (nTag, n, nEnd) = tlv(der, pkcs1.lowerBound), nTag == 0x02,
              let (eTag, e, eEnd) = tlv(der, nEnd), eTag == 0x02, eEnd == pkcs1.upperBound,
              !n.isEmpty, !e.isEmpty, der[n.lowerBound] & 0x80 == 0, der[e.lowerBound] & 0x80 == 0
        else { return nil }
        let modulus = Array(der[n].drop { $0 == 0 }), exponent = Array(der[e].drop { $0 == 0 })
        guard !modulus.isEmpty, !exponent.isEmpty,
              let key = try? _RSA.Signing.PublicKey(n: modulus, e: exponent), key.keySizeInBits >= 1024
        else { return nil }
        return key
    }

    /// Keys from a PEM certificate, a PEM public key, or a JWK / JWK set (OPA's `getKeysFromCertOrJWK`).
    static func verificationKeys(_ text: String) throws -> [KeyEntry] {
        if let block = pemBlock(text) {
            if !block.rest.isEmpty { throw BuiltinError.builtin("extra data after a PEM certificate block") }
            if block.type == "CERTIFICATE" {
                guard let spki = certificatePublicKeyInfo(block.der), let key = publicKey(spki: spki) else {
                    throw BuiltinError.builtin("failed to parse a PEM certificate: x509: malformed certificate")
                }
                return [KeyEntry(key: key)]
            }
            if block.type == "PUBLIC KEY" {
                guard let key = publicKey(spki: block.der) else {
                    throw BuiltinError.builtin("failed to parse a PEM public key")
                }
                return [KeyEntry(key: key)]
            }
            if block.type == "RSA PUBLIC KEY", let k = rsaPublicKey(der: block.der) {
                return [KeyEntry(key: .rsaPublic(k))]
            }
            throw BuiltinError.builtin("failed to extract a Key from the PEM certificate")
        }
        let value: Value
        do {
            value = try JSON.parse(text)
        } catch {
            throw BuiltinError.builtin("failed to parse a JWK key (set): \(error)")
        }
        guard case .object(let object) = value else { throw BuiltinError.builtin("failed to parse a JWK key (set)") }
        if case .array(let keys)? = object["keys"] {
            return try keys.compactMap { item in
                guard case .object(let jwk) = item else { return nil }
                return try jwkKey(jwk, needPrivate: false)
            }
        }
        return [try jwkKey(object, needPrivate: false)]
    }

    static func field(_ jwk: ObjectValue, _ name: String) throws -> [UInt8] {
        guard case .string(let text)? = jwk[name], case .success(let bytes) = base64URLDecode(text) else {
            throw BuiltinError.builtin("failed to parse JWK: missing or invalid \"\(name)\"")
        }
        return bytes
    }

    static func jwkKey(_ jwk: ObjectValue, needPrivate: Bool) throws -> KeyEntry {
        let kid = jwk["kid"]?.stringValue, alg = jwk["alg"]?.stringValue
        guard case .string(let kty)? = jwk["kty"] else { throw BuiltinError.builtin("failed to parse JWK: missing \"kty\"") }
        let key: Key
        do {
            switch kty {
            case "oct":
                key = .secret(try field(jwk, "k"))
            case "RSA":
                let n = try field(jwk, "n"), e = try field(jwk, "e")
                if jwk["d"] != nil {
                    let d = try field(jwk, "d")
                    if jwk["p"] != nil && jwk["q"] != nil {
                        key = .rsaPrivate(try _RSA.Signing.PrivateKey(n: n, e: e, d: d, p: try field(jwk, "p"), q: try field(jwk, "q")))
                    } else {
                        key = .rsaPrivate(try _RSA.Signing.PrivateKey._createFromNumbers(n: n, e: e, d: d))
                    }
                } else {
                    key = .rsaPublic(try _RSA.Signing.PublicKey(n: n, e: e))
                }
            case "EC":
                let crv = jwk["crv"]?.stringValue ?? ""
                if jwk["d"] != nil {
                    let d = try field(jwk, "d")
                    switch crv {
                    case "P-256": key = .p256Private(try P256.Signing.PrivateKey(rawRepresentation: d))
                    case "P-384": key = .p384Private(try P384.Signing.PrivateKey(rawRepresentation: d))
                    case "P-521": key = .p521Private(try P521.Signing.PrivateKey(rawRepresentation: d))
                    default: throw BuiltinError.builtin("unsupported curve \(crv)")
                    }
                } else {
                    let raw = try field(jwk, "x") + (try field(jwk, "y"))
                    switch crv {
                    case "P-256": key = .p256Public(try P256.Signing.PublicKey(rawRepresentation: raw))
                    case "P-384": key = .p384Public(try P384.Signing.PublicKey(rawRepresentation: raw))
                    case "P-521": key = .p521Public(try P521.Signing.PublicKey(rawRepresentation: raw))
                    default: throw BuiltinError.builtin("unsupported curve \(crv)")
                    }
                }
            case "OKP":
                if jwk["d"] != nil {
                    key = .edPrivate(try Curve25519.Signing.PrivateKey(rawRepresentation: try field(jwk, "d")))
                } else {
                    key = .edPublic(try Curve25519.Signing.PublicKey(rawRepresentation: try field(jwk, "x")))
                }
            default:
                throw BuiltinError.builtin("unsupported kty \(kty)")
            }
        } catch let error as BuiltinError {
            throw error
        } catch {
            throw BuiltinError.builtin("failed to parse JWK: invalid key material")
        }
        return KeyEntry(key: key, kid: kid, alg: alg)
    }

    // MARK: Algorithms

    static let algorithms: Set<String> = [
        "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
        "ES256", "ES384", "ES512", "EdDSA",
    ]

    static func digest(_ alg: String, _ data: [UInt8]) -> [UInt8] {
        switch alg.suffix(3) {
        case "384": return Array(SHA384.hash(data: data))
        case "512": return Array(SHA512.hash(data: data))
        default: return Array(SHA256.hash(data: data))
        }
    }

    static func verify(_ alg: String, key: Key, message: [UInt8], signature: [UInt8]) -> Bool {
        switch (alg.prefix(2), key) {
        case ("HS", .secret(let secret)):
            let expected = sign(hmac: alg, secret: secret, message: message)
            return expected.count == signature.count && zip(expected, signature).allSatisfy { $0 == $1 }
        case ("RS", .rsaPublic(let k)), ("PS", .rsaPublic(let k)):
            let padding: _RSA.Signing.Padding = alg.hasPrefix("PS") ? .PSS : .insecurePKCS1v1_5
            let sig = _RSA.Signing.RSASignature(rawRepresentation: signature)
            switch alg.suffix(3) {
            case "384": return k.isValidSignature(sig, for: SHA384.hash(data: message), padding: padding)
            case "512": return k.isValidSignature(sig, for: SHA512.hash(data: message), padding: padding)
            default: return k.isValidSignature(sig, for: SHA256.hash(data: message), padding: padding)
            }
        case ("ES", .p256Public(let k)):
            guard alg == "ES256", let sig = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return k.isValidSignature(sig, for: SHA256.hash(data: message))
        case ("ES", .p384Public(let k)):
            guard alg == "ES384", let sig = try? P384.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return k.isValidSignature(sig, for: SHA384.hash(data: message))
        case ("ES", .p521Public(let k)):
            guard alg == "ES512", let sig = try? P521.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return k.isValidSignature(sig, for: SHA512.hash(data: message))
        case ("Ed", .edPublic(let k)):
            return k.isValidSignature(signature, for: message)
        default:
            return false
        }
    }

    static func sign(hmac alg: String, secret: [UInt8], message: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: secret)
        switch alg {
        case "HS384": return Array(HMAC<SHA384>.authenticationCode(for: message, using: key))
        case "HS512": return Array(HMAC<SHA512>.authenticationCode(for: message, using: key))
        default: return Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        }
    }

    static func sign(_ alg: String, key: Key, message: [UInt8]) throws -> [UInt8] {
        do {
            switch (alg.prefix(2), key) {
            case ("HS", .secret(let secret)):
                return sign(hmac: alg, secret: secret, message: message)
            case ("RS", .rsaPrivate(let k)), ("PS", .rsaPrivate(let k)):
                let padding: _RSA.Signing.Padding = alg.hasPrefix("PS") ? .PSS : .insecurePKCS1v1_5
                switch alg.suffix(3) {
                case "384": return Array(try k.signature(for: SHA384.hash(data: message), padding: padding).rawRepresentation)
                case "512": return Array(try k.signature(for: SHA512.hash(data: message), padding: padding).rawRepresentation)
                default: return Array(try k.signature(for: SHA256.hash(data: message), padding: padding).rawRepresentation)
                }
            case ("ES", .p256Private(let k)): return Array(try k.signature(for: SHA256.hash(data: message)).rawRepresentation)
            case ("ES", .p384Private(let k)): return Array(try k.signature(for: SHA384.hash(data: message)).rawRepresentation)
            case ("ES", .p521Private(let k)): return Array(try k.signature(for: SHA512.hash(data: message)).rawRepresentation)
            case ("Ed", .edPrivate(let k)): return Array(try k.signature(for: message))
            default:
                throw BuiltinError.builtin("failed to sign: key does not match algorithm \(alg)")
            }
        } catch let error as BuiltinError {
            throw error
        } catch {
            throw BuiltinError.builtin("failed to sign with algorithm \(alg)")
        }
    }

    /// `io.jwt.verify_<alg>`: verifies the signature with a secret (HS*) or a certificate/key/JWK(S).
    static func verifyBuiltin(_ alg: String) -> Builtin {
        Builtin("io.jwt.verify_\(alg.lowercased())", [s, s], b) { a, _ in
            let token = try split(a[0])
            let keyText = try a.string(1)
            let keys: [KeyEntry] = alg.hasPrefix("HS") ? [KeyEntry(key: .secret(Array(keyText.utf8)))] : try verificationKeys(keyText)
            let signature = try decodePart(token.signature, what: "signature")
            let head = try header(token)
            let message = Array((token.header + "." + token.payload).utf8)
            if let kid = head["kid"]?.stringValue, let match = keys.first(where: { $0.kid == kid }) {
                return .bool(verify(alg, key: match.key, message: message, signature: signature))
            }
            return .bool(keys.contains { verify(alg, key: $0.key, message: message, signature: signature) })
        }
    }

    static func decode(_ value: Value) throws -> Value {
        let token = try split(value)
        let head = try header(token)
        let payloadBytes = try decodePart(token.payload, what: "payload")
        if let cty = head["cty"]?.stringValue, cty.uppercased() == "JWT" {
            // A nested token is usually carried as a quoted JSON string.
            return try decode(.string(StringBuiltins.trim(String(decoding: payloadBytes, as: UTF8.self), left: true, right: true) { $0 == "\"" }))
        }
        let payload = try jsonObject(payloadBytes)
        let signature = try decodePart(token.signature, what: "signature")
        return .array([.object(head), .object(payload), .string(CryptoBuiltins.hex(signature))])
    }

    static func encodeSign(header headerText: String, payload payloadText: String, key keyText: String) throws -> Value {
        let headerValue: Value
        if headerText.isEmpty {
            throw BuiltinError.builtin("missing or invalid 'alg' header: cannot parse JSON: cannot parse empty string")
        }
        do { headerValue = try JSON.parse(headerText) } catch {
            throw BuiltinError.builtin("missing or invalid 'alg' header: cannot parse JSON: \(error)")
        }
        guard case .object(let head) = headerValue, case .string(let alg)? = head["alg"] else {
            throw BuiltinError.builtin("missing or invalid 'alg' header: jwsbb: header \"alg\" not found")
        }
        guard algorithms.contains(alg) else { throw BuiltinError.builtin("unknown JWS algorithm: \(alg)") }
        if head["typ"]?.stringValue == "JWT" {
            guard let payload = try? JSON.parse(payloadText), case .object = payload else {
                throw BuiltinError.builtin("type is JWT but payload is not JSON")
            }
        }
        let keyValue: Value
        do { keyValue = try JSON.parse(keyText) } catch {
            throw BuiltinError.builtin("failed to parse a JWK key: \(error)")
        }
        guard case .object(let jwk) = keyValue else { throw BuiltinError.builtin("failed to parse a JWK key") }
        let key = try jwkKey(jwk, needPrivate: true)
        let signingInput = EncodingBuiltins.base64(Array(headerText.utf8), url: true, pad: false) + "."
            + EncodingBuiltins.base64(Array(payloadText.utf8), url: true, pad: false)
        let signature = try sign(alg, key: key.key, message: Array(signingInput.utf8))
        return .string(signingInput + "." + EncodingBuiltins.base64(signature, url: true, pad: false))
    }

    static func decodeVerify(_ a: [Value], now: Int64) throws -> Value {
        let constraints = try a.object(1)
        let unverified = Value.array([.false, .emptyObject, .emptyObject])
        var keys: [KeyEntry]? = nil
        var secret: String? = nil
        var wantAlg: String? = nil, wantIss: String? = nil, wantAud: String? = nil
        var time = Double(now)
        for (k, v) in constraints.entries {
            guard case .string(let name) = k else { continue }
            switch name {
            case "cert":
                guard case .string(let text) = v else { throw BuiltinError.builtin("cert constraint: must be a string") }
                keys = try verificationKeys(text)
            case "secret":
                guard case .string(let text) = v else { throw BuiltinError.builtin("secret constraint: must be a string") }
                secret = text
            case "alg": wantAlg = v.stringValue
            case "iss": wantIss = v.stringValue
            case "aud": wantAud = v.stringValue
            case "time":
                guard case .number(let n) = v else { throw BuiltinError.builtin("time constraint: must be a number") }
                time = n.doubleValue
            default:
                throw BuiltinError.builtin("unknown token validation constraint: \(name)")
            }
        }
        let keyCount = (keys != nil ? 1 : 0) + (secret.map { $0.isEmpty ? 0 : 1 } ?? 0)
        if keyCount > 1 { throw BuiltinError.builtin("duplicate key constraints") }
        if keyCount < 1 { throw BuiltinError.builtin("no key constraint") }

        var current = a[0]
        var payloadBytes: [UInt8] = []
        var head = ObjectValue()
        while true {
            let token = try split(current)
            head = try header(token)
            guard case .string(let alg)? = head["alg"], !alg.isEmpty else { return unverified }
            // No header extensions are understood, so any critical one makes the token unacceptable (RFC 7515 4.1.11).
            if head["crit"] != nil { return unverified }
            if let wantAlg, !wantAlg.isEmpty, wantAlg != alg { return unverified }
            let signature = try decodePart(token.signature, what: "signature")
            guard algorithms.contains(alg) else { throw BuiltinError.builtin("unknown JWS algorithm: \(alg)") }
            let message = Array((token.header + "." + token.payload).utf8)
            if let keys {
                var ok = false
                if let kid = head["kid"]?.stringValue, let match = keys.first(where: { $0.kid == kid }) {
                    ok = verify(alg, key: match.key, message: message, signature: signature)
                } else {
                    ok = keys.contains { verify(alg, key: $0.key, message: message, signature: signature) }
                }
                if !ok { return unverified }
            } else if let secret {
                guard alg.hasPrefix("HS"), verify(alg, key: .secret(Array(secret.utf8)), message: message, signature: signature) else {
                    return unverified
                }
            }
            payloadBytes = try decodePart(token.payload, what: "payload")
            if let cty = head["cty"]?.stringValue, cty.uppercased() == "JWT" {
                current = .string(StringBuiltins.trim(String(decoding: payloadBytes, as: UTF8.self), left: true, right: true) { $0 == "\"" })
                continue
            }
            break
        }
        let payload = try jsonObject(payloadBytes)
        if let wantIss, !wantIss.isEmpty {
            guard payload["iss"]?.stringValue == wantIss else { return unverified }
        }
        if let aud = payload["aud"] {
            guard let wantAud, !wantAud.isEmpty else { return unverified }
            switch aud {
            case .string(let text): if text != wantAud { return unverified }
            case .array(let items): if !items.contains(.string(wantAud)) { return unverified }
            default: return unverified
            }
        } else if let wantAud, !wantAud.isEmpty {
            return unverified
        }
        let seconds = Number.real(time / 1_000_000_000)
        if let exp = payload["exp"] {
            guard case .number(let n) = exp else { throw BuiltinError.builtin("exp value must be a number") }
            if Number.compare(seconds, n) != -1 { return unverified }
        }
        if let nbf = payload["nbf"] {
            guard case .number(let n) = nbf else { throw BuiltinError.builtin("nbf value must be a number") }
            if Number.compare(seconds, n) == -1 { return unverified }
        }
        return .array([.true, .object(head), .object(payload)])
    }

    static let all: [Builtin] = [
        Builtin("io.jwt.decode", [s], .array(.any)) { a, _ in try decode(a[0]) },
        Builtin("io.jwt.decode_verify", [s, .object(.string, .any)], .array(.any)) { a, context in
            try decodeVerify(a, now: context.nowNanoseconds)
        },
        Builtin("io.jwt.encode_sign_raw", [s, s, s], s) { a, _ in
            try encodeSign(header: try a.string(0), payload: try a.string(1), key: try a.string(2))
        },
        Builtin("io.jwt.encode_sign", [.object(.string, .any), .object(.string, .any), .object(.string, .any)], s) { a, _ in
            try encodeSign(header: JSON.serialize(a[0]), payload: JSON.serialize(a[1]), key: JSON.serialize(a[2]))
        },
    ] + ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
        .map(verifyBuiltin)
}
