import Crypto
import _CryptoExtras

/// X.509 certificates, certificate requests and private keys read from DER by hand, rendered in the
/// JSON shape of Go's `x509.Certificate` / `x509.CertificateRequest` / `rsa.PrivateKey`, as OPA returns them.
enum X509 {
    struct Malformed: Error { var message = "x509: malformed certificate" }

    /// One DER element: tag, content range and end offset in `bytes`.
    struct Node {
        let bytes: [UInt8]
        let tag: UInt8
        let start: Int
        let content: Range<Int>
        var end: Int { content.upperBound }
        var raw: [UInt8] { Array(bytes[start..<end]) }
        var value: [UInt8] { Array(bytes[content]) }

        static func read(_ bytes: [UInt8], at index: Int, limit: Int? = nil) -> Node? {
            let limit = limit ?? bytes.count
            guard index + 1 < limit else { return nil }
            let tag = bytes[index]
            var length = Int(bytes[index + 1])
            var cursor = index + 2
            if length & 0x80 != 0 {
                let count = length & 0x7F
                guard count > 0, count <= 4, cursor + count <= limit else { return nil }
                length = 0
                for k in 0..<count { length = length << 8 | Int(bytes[cursor + k]) }
                cursor += count
            }
            guard length >= 0, cursor + length <= limit else { return nil }
            return Node(bytes: bytes, tag: tag, start: index, content: cursor..<(cursor + length))
        }

        var children: [Node] {
            var out: [Node] = []
            var cursor = content.lowerBound
            while cursor < content.upperBound, let n = Node.read(bytes, at: cursor, limit: content.upperBound) {
                out.append(n)
                cursor = n.end
            }
            return out
        }

        func child(_ i: Int) throws -> Node {
            let c = children
            guard i < c.count else { throw Malformed() }
            return c[i]
        }

        var oid: [Int] {
            var out: [Int] = []
            var acc = 0
            for (i, b) in value.enumerated() {
                acc = acc << 7 | Int(b & 0x7F)
                if b & 0x80 == 0 {
                    if out.isEmpty && i < value.count {
                        let first = min(acc / 40, 2)
                        out.append(first)
                        out.append(acc - first * 40)
                    } else {
                        out.append(acc)
                    }
                    acc = 0
                }
            }
            return out
        }

        var string: String { String(decoding: value, as: UTF8.self) }

        var int: Int {
            var v = 0
            for (i, b) in value.enumerated() { v = i == 0 ? Int(Int8(bitPattern: b)) : v << 8 | Int(b) }
            return v
        }

        /// An INTEGER as a Rego number (arbitrary precision).
        var bigNumber: Value { X509.number(value) }
    }

    static func number(_ bytes: [UInt8]) -> Value {
        var digits = bytes.drop { $0 == 0 }.map { UInt32($0) }
        if digits.isEmpty { return .int(0) }
        var decimal: [UInt8] = []
        while !digits.isEmpty {
            var remainder: UInt32 = 0
            var next: [UInt32] = []
            for d in digits {
                let cur = remainder << 8 | d
                let q = cur / 10
                remainder = cur % 10
                if !next.isEmpty || q != 0 { next.append(q) }
            }
            decimal.append(UInt8(remainder) + 48)
            digits = next
        }
        let text = String(decoding: decimal.reversed(), as: UTF8.self)
        return Number(text: text).map(Value.number) ?? .string(text)
    }

    static func base64(_ bytes: [UInt8]) -> Value { .string(EncodingBuiltins.base64(bytes)) }

    static func oidValue(_ oid: [Int]) -> Value { .array(oid.map(Value.int)) }

    // MARK: Names and times

    static let nameFields: [[Int]: String] = [
        [2, 5, 4, 6]: "Country", [2, 5, 4, 10]: "Organization", [2, 5, 4, 11]: "OrganizationalUnit",
        [2, 5, 4, 7]: "Locality", [2, 5, 4, 8]: "Province", [2, 5, 4, 9]: "StreetAddress", [2, 5, 4, 17]: "PostalCode",
    ]

    static func name(_ node: Node) -> Value {
        var lists: [String: [Value]] = [:]
        var commonName = "", serial = ""
        var names: [Value] = []
        for set in node.children {
            for attr in set.children {
                let parts = attr.children
                guard parts.count == 2 else { continue }
                let oid = parts[0].oid
                let text = parts[1].string
                names.append(.object(ObjectValue(["Type": oidValue(oid), "Value": .string(text)])))
                if oid == [2, 5, 4, 3] { commonName = text } else if oid == [2, 5, 4, 5] { serial = text }
                else if let field = nameFields[oid] { lists[field, default: []].append(.string(text)) }
            }
        }
        var dict: [String: Value] = ["CommonName": .string(commonName), "SerialNumber": .string(serial), "ExtraNames": .null,
                                     "Names": names.isEmpty ? .null : .array(names)]
        for field in nameFields.values { dict[field] = lists[field].map(Value.array) ?? .null }
        return .object(ObjectValue(dict))
    }

    /// UTCTime / GeneralizedTime → RFC 3339 (`2014-01-29T13:27:43Z`).
    static func time(_ node: Node) throws -> String {
        var text = node.string
        guard text.hasSuffix("Z") else { throw Malformed() }
        text.removeLast()
        if node.tag == 0x17 {
            guard text.count >= 12, let yy = Int(text.prefix(2)) else { throw Malformed() }
            text = String(yy < 50 ? 2000 + yy : 1900 + yy) + text.dropFirst(2)
        }
        let c = Array(text)
        guard c.count >= 14 else { throw Malformed() }
        let s = { (r: Range<Int>) in String(c[r]) }
        return "\(s(0..<4))-\(s(4..<6))-\(s(6..<8))T\(s(8..<10)):\(s(10..<12)):\(s(12..<14))Z"
    }

    /// Seconds since the epoch of a `YYYY-MM-DDTHH:MM:SSZ` time.
    static func seconds(_ rfc3339: String) -> Int64? {
        let c = Array(rfc3339)
        guard c.count >= 19 else { return nil }
        func n(_ r: Range<Int>) -> Int64? { Int64(String(c[r])) }
        guard let y = n(0..<4), let mo = n(5..<7), let d = n(8..<10), let h = n(11..<13), let mi = n(14..<16), let s = n(17..<19) else { return nil }
        return GoTime.days(year: y, month: mo, day: d) * 86_400 + h * 3600 + mi * 60 + s
    }

    // MARK: Algorithms and keys

    static func signatureAlgorithm(_ algorithm: Node) -> Int {
        let parts = algorithm.children
        guard let oid = parts.first?.oid else { return 0 }
        switch oid {
        case [1, 2, 840, 113549, 1, 1, 2]: return 1
        case [1, 2, 840, 113549, 1, 1, 4]: return 2
        case [1, 2, 840, 113549, 1, 1, 5]: return 3
        case [1, 2, 840, 113549, 1, 1, 11]: return 4
        case [1, 2, 840, 113549, 1, 1, 12]: return 5
        case [1, 2, 840, 113549, 1, 1, 13]: return 6
        case [1, 2, 840, 10040, 4, 3]: return 7
        case [2, 16, 840, 1, 101, 3, 4, 3, 2]: return 8
        case [1, 2, 840, 10045, 4, 1]: return 9
        case [1, 2, 840, 10045, 4, 3, 2]: return 10
        case [1, 2, 840, 10045, 4, 3, 3]: return 11
        case [1, 2, 840, 10045, 4, 3, 4]: return 12
        case [1, 2, 840, 113549, 1, 1, 10]:
            // RSASSA-PSS: the hash is in the parameters.
            let params = parts.count > 1 ? parts[1].children : []
            if let hash = params.first?.children.first?.children.first?.oid {
                switch hash {
                case [2, 16, 840, 1, 101, 3, 4, 2, 2]: return 14
                case [2, 16, 840, 1, 101, 3, 4, 2, 3]: return 15
                default: return 13
                }
            }
            return 13
        case [1, 3, 101, 112]: return 16
        default: return 0
        }
    }

    /// (PublicKeyAlgorithm, PublicKey JSON) from a SubjectPublicKeyInfo.
    static func publicKey(_ spki: Node) -> (Int, Value) {
        let parts = spki.children
        guard parts.count == 2, let oid = parts[0].children.first?.oid else { return (0, .null) }
        let bits = Array(parts[1].value.dropFirst())
        switch oid {
        case [1, 2, 840, 113549, 1, 1, 1]:
            guard let seq = Node.read(bits, at: 0), seq.children.count == 2 else { return (1, .null) }
            return (1, .object(ObjectValue(["N": seq.children[0].bigNumber, "E": .int(seq.children[1].int)])))
        case [1, 2, 840, 10040, 4, 1]:
            return (2, .null)
        case [1, 2, 840, 10045, 2, 1]:
            guard bits.first == 4, bits.count >= 3 else { return (3, .null) }
            let half = (bits.count - 1) / 2
            return (3, .object(ObjectValue(["Curve": .emptyObject, "X": number(Array(bits[1...half])),
                                            "Y": number(Array(bits[(half + 1)...]))])))
        case [1, 3, 101, 112]:
            return (4, base64(bits))
        default:
            return (0, .null)
        }
    }

    // MARK: Extensions

    static let extKeyUsages: [[Int]: Int] = [
        [2, 5, 29, 37, 0]: 0, [1, 3, 6, 1, 5, 5, 7, 3, 1]: 1, [1, 3, 6, 1, 5, 5, 7, 3, 2]: 2, [1, 3, 6, 1, 5, 5, 7, 3, 3]: 3,
        [1, 3, 6, 1, 5, 5, 7, 3, 4]: 4, [1, 3, 6, 1, 5, 5, 7, 3, 5]: 5, [1, 3, 6, 1, 5, 5, 7, 3, 6]: 6,
        [1, 3, 6, 1, 5, 5, 7, 3, 7]: 7, [1, 3, 6, 1, 5, 5, 7, 3, 8]: 8, [1, 3, 6, 1, 5, 5, 7, 3, 9]: 9,
        [1, 3, 6, 1, 4, 1, 311, 10, 3, 3]: 10, [2, 16, 840, 1, 113730, 4, 1]: 11, [1, 3, 6, 1, 4, 1, 311, 2, 1, 22]: 12,
        [1, 3, 6, 1, 4, 1, 311, 61, 1, 1]: 13,
    ]

    static func ipText(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        if bytes.count == 16 { return IPNetwork.format(bytes) }
        return "?" + bytes.map { String($0, radix: 16) }.joined()
    }

    /// Go's `url.URL` JSON for a URI from a certificate.
    static func url(_ text: String) -> Value {
        var scheme = "", rest = Substring(text), host = "", path = "", query = "", fragment = "", opaque = ""
        if let colon = rest.firstIndex(of: ":"), rest[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) {
            scheme = String(rest[..<colon]).lowercased()
            rest = rest[rest.index(after: colon)...]
        }
        if let hash = rest.firstIndex(of: "#") { fragment = String(rest[rest.index(after: hash)...]); rest = rest[..<hash] }
        if let q = rest.firstIndex(of: "?") { query = String(rest[rest.index(after: q)...]); rest = rest[..<q] }
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            host = String(rest[..<slash])
            path = String(rest[slash...])
        } else if !scheme.isEmpty && !rest.hasPrefix("/") {
            opaque = String(rest)
        } else {
            path = String(rest)
        }
        return .object(ObjectValue([
            "Scheme": .string(scheme), "Opaque": .string(opaque), "User": .null, "Host": .string(host), "Path": .string(path),
            "RawPath": "", "OmitHost": .false, "ForceQuery": .false, "RawQuery": .string(query), "Fragment": .string(fragment), "RawFragment": "",
        ]))
    }

    /// Applies known extensions to the JSON fields; returns the `Extensions` list.
    static func extensions(_ nodes: [Node], into dict: inout [String: Value]) -> [Value] {
        var out: [Value] = []
        var dns: [Value] = [], emails: [Value] = [], ips: [Value] = [], uris: [String] = []
        var ocsp: [Value] = [], issuers: [Value] = [], crl: [Value] = [], policies: [Value] = []
        var eku: [Value] = [], unknownEKU: [Value] = []
        for ext in nodes {
            let parts = ext.children
            guard parts.count >= 2 else { continue }
            let oid = parts[0].oid
            let critical = parts.count == 3 && parts[1].tag == 0x01 && parts[1].value.first.map { $0 != 0 } == true
            let valueNode = parts[parts.count - 1]
            out.append(.object(ObjectValue(["Id": oidValue(oid), "Critical": .bool(critical), "Value": base64(valueNode.value)])))
            let inner = Node.read(valueNode.value, at: 0)
            switch oid {
            case [2, 5, 29, 14]:
                if let inner { dict["SubjectKeyId"] = base64(inner.value) }
            case [2, 5, 29, 35]:
                if let key = inner?.children.first(where: { $0.tag == 0x80 }) { dict["AuthorityKeyId"] = base64(key.value) }
            case [2, 5, 29, 15]:
                if let inner, let unused = inner.value.first {
                    let data = Array(inner.value.dropFirst())
                    var usage = 0
                    for i in 0..<9 {
                        let byte = i / 8, bit = 7 - i % 8
                        if byte < data.count, (data[byte] >> bit) & 1 == 1, !(byte == data.count - 1 && bit < Int(unused)) {
                            usage |= 1 << i
                        }
                    }
                    dict["KeyUsage"] = .int(usage)
                }
            case [2, 5, 29, 19]:
                var isCA = false, maxPath = -1
                for c in inner?.children ?? [] {
                    if c.tag == 0x01 { isCA = c.value.first.map { $0 != 0 } ?? false }
                    if c.tag == 0x02 { maxPath = c.int }
                }
                dict["BasicConstraintsValid"] = .true
                dict["IsCA"] = .bool(isCA)
                dict["MaxPathLen"] = .int(maxPath)
                dict["MaxPathLenZero"] = .bool(maxPath == 0)
            case [2, 5, 29, 17]:
                for name in inner?.children ?? [] {
                    switch name.tag {
                    case 0x81: emails.append(.string(name.string))
                    case 0x82: dns.append(.string(name.string))
                    case 0x86: uris.append(name.string)
                    case 0x87: ips.append(.string(ipText(name.value)))
                    default: break
                    }
                }
            case [2, 5, 29, 37]:
                for usage in inner?.children ?? [] {
                    if let known = extKeyUsages[usage.oid] { eku.append(.int(known)) } else { unknownEKU.append(oidValue(usage.oid)) }
                }
            case [1, 3, 6, 1, 5, 5, 7, 1, 1]:
                for access in inner?.children ?? [] {
                    let a = access.children
                    guard a.count == 2, a[1].tag == 0x86 else { continue }
                    if a[0].oid == [1, 3, 6, 1, 5, 5, 7, 48, 1] { ocsp.append(.string(a[1].string)) }
                    if a[0].oid == [1, 3, 6, 1, 5, 5, 7, 48, 2] { issuers.append(.string(a[1].string)) }
                }
            case [2, 5, 29, 31]:
                for point in inner?.children ?? [] {
                    for dpName in point.children where dpName.tag == 0xA0 {
                        for full in dpName.children where full.tag == 0xA0 {
                            for n in full.children where n.tag == 0x86 { crl.append(.string(n.string)) }
                        }
                    }
                }
            case [2, 5, 29, 32]:
                for policy in inner?.children ?? [] {
                    if let id = policy.children.first { policies.append(oidValue(id.oid)) }
                }
            default:
                break
            }
        }
        func list(_ v: [Value]) -> Value { v.isEmpty ? .null : .array(v) }
        dict["DNSNames"] = list(dns)
        dict["EmailAddresses"] = list(emails)
        dict["IPAddresses"] = list(ips)
        dict["URIs"] = list(uris.map(url))
        dict["URIStrings"] = list(uris.map(Value.string))
        dict["OCSPServer"] = list(ocsp)
        dict["IssuingCertificateURL"] = list(issuers)
        dict["CRLDistributionPoints"] = list(crl)
        dict["PolicyIdentifiers"] = list(policies)
        dict["ExtKeyUsage"] = list(eku)
        dict["UnknownExtKeyUsage"] = list(unknownEKU)
        return out
    }

    // MARK: Certificates

    struct Certificate {
        var json: Value
        var der: [UInt8]
        var tbs: [UInt8]
        var signatureAlgorithm: Int
        var signature: [UInt8]
        var spki: [UInt8]
        var subject: [UInt8]
        var issuer: [UInt8]
        var notBefore: String
        var notAfter: String
        var isCA: Bool
        var basicConstraintsValid: Bool
        var version: Int
    }

    static func certificate(_ node: Node) throws -> Certificate {
        guard node.tag == 0x30 else { throw Malformed() }
        let top = node.children
        guard top.count == 3, top[0].tag == 0x30, top[2].tag == 0x03 else { throw Malformed() }
        var fields = top[0].children
        var version = 0
        if fields.first?.tag == 0xA0 {
            version = (try? fields[0].child(0).int) ?? 0
            fields.removeFirst()
        }
        guard fields.count >= 6, fields[0].tag == 0x02, fields[3].tag == 0x30 else { throw Malformed() }
        let validity = fields[3].children
        guard validity.count == 2 else { throw Malformed() }
        let notBefore = try time(validity[0]), notAfter = try time(validity[1])
        let (keyAlgorithm, key) = publicKey(fields[5])
        let sigAlg = signatureAlgorithm(top[1])
        let signature = Array(top[2].value.dropFirst())
        var dict: [String: Value] = [
            "Raw": base64(node.raw), "RawTBSCertificate": base64(top[0].raw), "RawSubjectPublicKeyInfo": base64(fields[5].raw),
            "RawSubject": base64(fields[4].raw), "RawIssuer": base64(fields[2].raw), "Signature": base64(signature),
            "SignatureAlgorithm": .int(sigAlg), "PublicKeyAlgorithm": .int(keyAlgorithm), "PublicKey": key,
            "Version": .int(version + 1), "SerialNumber": fields[0].bigNumber, "Issuer": name(fields[2]), "Subject": name(fields[4]),
            "NotBefore": .string(notBefore), "NotAfter": .string(notAfter), "KeyUsage": 0, "ExtraExtensions": .null,
            "UnhandledCriticalExtensions": .null, "BasicConstraintsValid": .false, "IsCA": .false, "MaxPathLen": 0,
            "MaxPathLenZero": .false, "SubjectKeyId": .null, "AuthorityKeyId": .null, "PermittedDNSDomainsCritical": .false,
            "PermittedDNSDomains": .null, "ExcludedDNSDomains": .null, "PermittedIPRanges": .null, "ExcludedIPRanges": .null,
            "PermittedEmailAddresses": .null, "ExcludedEmailAddresses": .null, "PermittedURIDomains": .null,
            "ExcludedURIDomains": .null, "Policies": .null, "InhibitAnyPolicy": 0, "InhibitAnyPolicyZero": .false,
            "InhibitPolicyMapping": 0, "InhibitPolicyMappingZero": .false, "RequireExplicitPolicy": 0,
            "RequireExplicitPolicyZero": .false, "PolicyMappings": .null,
        ]
        var extensionList: [Value] = []
        if let extField = fields.dropFirst(6).first(where: { $0.tag == 0xA3 }), let seq = extField.children.first {
            extensionList = extensions(seq.children, into: &dict)
        } else {
            _ = extensions([], into: &dict)
        }
        dict["Extensions"] = extensionList.isEmpty ? .null : .array(extensionList)
        return Certificate(json: .object(ObjectValue(dict)), der: node.raw, tbs: top[0].raw, signatureAlgorithm: sigAlg,
                           signature: signature, spki: fields[5].raw, subject: fields[4].raw, issuer: fields[2].raw,
                           notBefore: notBefore, notAfter: notAfter, isCA: dict["IsCA"] == .true,
                           basicConstraintsValid: dict["BasicConstraintsValid"] == .true, version: version + 1)
    }

    /// Go's `x509.ParseCertificates`: concatenated DER certificates.
    static func certificates(der: [UInt8]) throws -> [Certificate] {
        var out: [Certificate] = []
        var cursor = 0
        while cursor < der.count {
            guard let node = Node.read(der, at: cursor) else { throw Malformed() }
            out.append(try certificate(node))
            cursor = node.end
        }
        return out
    }

    /// PEM blocks of a text, in order: (type, DER).
    static func pemBlocks(_ text: String) -> [(String, [UInt8])] {
        var out: [(String, [UInt8])] = []
        var rest = Substring(text)
        while let block = JWT.pemBlock(String(rest)) {
            out.append((block.type, block.der))
            rest = block.rest
        }
        return out
    }

    /// OPA's `getX509CertsFromString`: PEM, base64 of PEM, or base64 of DER.
    static func certificates(_ input: String) throws -> [Certificate] {
        if input.hasPrefix("-----BEGIN") { return try certificates(der: pemBlocks(input).filter { $0.0 == "CERTIFICATE" }.flatMap(\.1)) }
        let decoded: [UInt8]
        switch EncodingBuiltins.decodeBase64(input) {
        case .success(let bytes): decoded = bytes
        case .failure(let error): throw error
        }
        if decoded.starts(with: Array("-----BEGIN".utf8)) {
            return try certificates(der: pemBlocks(String(decoding: decoded, as: UTF8.self)).filter { $0.0 == "CERTIFICATE" }.flatMap(\.1))
        }
        return try certificates(der: decoded)
    }

    /// Go's `x509.ParseCertificateRequest` as JSON.
    static func certificateRequest(_ der: [UInt8]) throws -> Value {
        guard let node = Node.read(der, at: 0), node.tag == 0x30 else { throw Malformed(message: "asn1: structure error: tags don't match") }
        let top = node.children
        guard top.count == 3 else { throw Malformed(message: "asn1: structure error: tags don't match") }
        let info = top[0].children
        guard info.count >= 3 else { throw Malformed(message: "asn1: structure error: tags don't match") }
        let (keyAlgorithm, key) = publicKey(info[2])
        var dict: [String: Value] = [
            "Raw": base64(node.raw), "RawTBSCertificateRequest": base64(top[0].raw), "RawSubjectPublicKeyInfo": base64(info[2].raw),
            "RawSubject": base64(info[1].raw), "Version": .int(info[0].int), "Signature": base64(Array(top[2].value.dropFirst())),
            "SignatureAlgorithm": .int(signatureAlgorithm(top[1])), "PublicKeyAlgorithm": .int(keyAlgorithm), "PublicKey": key,
            "Subject": name(info[1]), "Attributes": .null, "ExtraExtensions": .null,
        ]
        var extensionList: [Value] = []
        if info.count > 3 {
            for attribute in info[3].children {
                let a = attribute.children
                // extensionRequest (PKCS #9)
                if a.count == 2, a[0].oid == [1, 2, 840, 113549, 1, 9, 14], let seq = a[1].children.first {
                    extensionList += extensions(seq.children, into: &dict)
                }
            }
        }
        var scratch: [String: Value] = [:]
        if extensionList.isEmpty { _ = extensions([], into: &scratch) }
        for key in ["DNSNames", "EmailAddresses", "IPAddresses", "URIs"] { dict[key] = dict[key] ?? scratch[key] ?? .null }
        for key in dict.keys where !["Raw", "RawTBSCertificateRequest", "RawSubjectPublicKeyInfo", "RawSubject", "Version", "Signature",
                                     "SignatureAlgorithm", "PublicKeyAlgorithm", "PublicKey", "Subject", "Attributes", "Extensions",
                                     "ExtraExtensions", "DNSNames", "EmailAddresses", "IPAddresses", "URIs"].contains(key) {
            dict[key] = nil
        }
        dict["Extensions"] = extensionList.isEmpty ? .null : .array(extensionList)
        return .object(ObjectValue(dict))
    }

    // MARK: Private keys

    /// A PKCS #1 RSA private key as Go's `rsa.PrivateKey` JSON.
    static func rsaPrivateKey(_ der: [UInt8]) -> Value? {
        guard let node = Node.read(der, at: 0), node.tag == 0x30 else { return nil }
        let f = node.children
        guard f.count >= 9, f.allSatisfy({ $0.tag == 0x02 }) else { return nil }
        return .object(ObjectValue([
            "N": f[1].bigNumber, "E": .int(f[2].int), "D": f[3].bigNumber, "Primes": .array([f[4].bigNumber, f[5].bigNumber]),
            "Precomputed": .object(ObjectValue(["Dp": f[6].bigNumber, "Dq": f[7].bigNumber, "Qinv": f[8].bigNumber, "CRTValues": .array([])])),
        ]))
    }

    /// An RSA private key (PKCS #1 or #8) as a JWK, the form `crypto.x509.parse_rsa_private_key` returns.
    static func rsaJWK(type: String, der: [UInt8]) -> Value? {
        var pkcs1 = der
        if type == "PRIVATE KEY" {
            guard let node = Node.read(der, at: 0), node.children.count >= 3,
                  node.children[1].children.first?.oid == [1, 2, 840, 113549, 1, 1, 1] else { return nil }
            pkcs1 = node.children[2].value
        } else if type != "RSA PRIVATE KEY" {
            return nil
        }
        guard let node = Node.read(pkcs1, at: 0), node.tag == 0x30 else { return nil }
        let f = node.children
        guard f.count >= 9, f.allSatisfy({ $0.tag == 0x02 }) else { return nil }
        func b64(_ n: Node) -> Value {
            let bytes = Array(n.value.drop { $0 == 0 })
            return .string(EncodingBuiltins.base64(bytes.isEmpty ? [0] : bytes, url: true, pad: false))
        }
        return .object(ObjectValue([
            "kty": "RSA", "n": b64(f[1]), "e": b64(f[2]), "d": b64(f[3]), "p": b64(f[4]), "q": b64(f[5]),
            "dp": b64(f[6]), "dq": b64(f[7]), "qi": b64(f[8]),
        ]))
    }

    /// A private key from a PEM block (PKCS #1, PKCS #8 RSA, SEC 1 EC).
    static func privateKey(type: String, der: [UInt8]) -> Value? {
        switch type {
        case "RSA PRIVATE KEY":
            return rsaPrivateKey(der)
        case "PRIVATE KEY":
            guard let node = Node.read(der, at: 0), node.children.count >= 3 else { return nil }
            let f = node.children
            let oid = f[1].children.first?.oid ?? []
            if oid == [1, 2, 840, 113549, 1, 1, 1] { return rsaPrivateKey(f[2].value) }
            if oid == [1, 2, 840, 10045, 2, 1] { return ecPrivateKey(f[2].value) }
            if oid == [1, 3, 101, 112], let inner = Node.read(f[2].value, at: 0) {
                let seed = inner.value
                guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else { return nil }
                return base64(seed + Array(key.publicKey.rawRepresentation))
            }
            return nil
        case "EC PRIVATE KEY":
            return ecPrivateKey(der)
        default:
            return nil
        }
    }

    static func ecPrivateKey(_ der: [UInt8]) -> Value? {
        guard let node = Node.read(der, at: 0), node.children.count >= 2 else { return nil }
        let f = node.children
        var dict: [String: Value] = ["Curve": .emptyObject, "D": number(f[1].value)]
        if let pub = f.first(where: { $0.tag == 0xA1 })?.children.first {
            let bits = Array(pub.value.dropFirst())
            if bits.first == 4, bits.count >= 3 {
                let half = (bits.count - 1) / 2
                dict["X"] = number(Array(bits[1...half]))
                dict["Y"] = number(Array(bits[(half + 1)...]))
            }
        }
        return .object(ObjectValue(dict))
    }

    // MARK: Chain verification

    /// Verifies `signature` over `message` with the public key in `spki` for a Go signature algorithm number.
    static func verifySignature(algorithm: Int, spki: [UInt8], message: [UInt8], signature: [UInt8]) -> Bool {
        switch algorithm {
        case 3, 4, 5, 6:
            guard let key = JWT.rsaPublicKey(der: spki) else { return false }
            let sig = _RSA.Signing.RSASignature(rawRepresentation: signature)
            switch algorithm {
            case 3: return key.isValidSignature(sig, for: Insecure.SHA1.hash(data: message), padding: .insecurePKCS1v1_5)
            case 4: return key.isValidSignature(sig, for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)
            case 5: return key.isValidSignature(sig, for: SHA384.hash(data: message), padding: .insecurePKCS1v1_5)
            default: return key.isValidSignature(sig, for: SHA512.hash(data: message), padding: .insecurePKCS1v1_5)
            }
        case 13, 14, 15:
            guard let key = JWT.rsaPublicKey(der: spki) else { return false }
            let sig = _RSA.Signing.RSASignature(rawRepresentation: signature)
            switch algorithm {
            case 13: return key.isValidSignature(sig, for: SHA256.hash(data: message), padding: .PSS)
            case 14: return key.isValidSignature(sig, for: SHA384.hash(data: message), padding: .PSS)
            default: return key.isValidSignature(sig, for: SHA512.hash(data: message), padding: .PSS)
            }
        case 10, 11, 12:
            if let key = try? P256.Signing.PublicKey(derRepresentation: spki), let sig = try? P256.Signing.ECDSASignature(derRepresentation: signature) {
                return algorithm == 10 ? key.isValidSignature(sig, for: SHA256.hash(data: message))
                    : algorithm == 11 ? key.isValidSignature(sig, for: SHA384.hash(data: message)) : key.isValidSignature(sig, for: SHA512.hash(data: message))
            }
            if let key = try? P384.Signing.PublicKey(derRepresentation: spki), let sig = try? P384.Signing.ECDSASignature(derRepresentation: signature) {
                return algorithm == 10 ? key.isValidSignature(sig, for: SHA256.hash(data: message))
                    : algorithm == 11 ? key.isValidSignature(sig, for: SHA384.hash(data: message)) : key.isValidSignature(sig, for: SHA512.hash(data: message))
            }
            if let key = try? P521.Signing.PublicKey(derRepresentation: spki), let sig = try? P521.Signing.ECDSASignature(derRepresentation: signature) {
                return algorithm == 10 ? key.isValidSignature(sig, for: SHA256.hash(data: message))
                    : algorithm == 11 ? key.isValidSignature(sig, for: SHA384.hash(data: message)) : key.isValidSignature(sig, for: SHA512.hash(data: message))
            }
            return false
        case 16:
            guard spki.count == 44, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: spki.suffix(32)) else { return false }
            return key.isValidSignature(signature, for: message)
        default:
            return false
        }
    }

    /// OPA's chain check: the first certificate is the root, the last the leaf, the rest intermediates.
    /// Returns the verified chain from leaf to root, or nil.
    static func verifyChain(_ certs: [Certificate], now seconds: Int64) -> [Certificate]? {
        guard certs.count >= 2 else { return nil }
        let root = certs[0], leaf = certs[certs.count - 1]
        let intermediates = Array(certs[1..<(certs.count - 1)])
        func valid(_ c: Certificate) -> Bool {
            guard let from = X509.seconds(c.notBefore), let to = X509.seconds(c.notAfter) else { return false }
            return from <= seconds && seconds <= to
        }
        func signs(_ parent: Certificate, _ child: Certificate) -> Bool {
            parent.subject == child.issuer
                && verifySignature(algorithm: child.signatureAlgorithm, spki: parent.spki, message: child.tbs, signature: child.signature)
        }
        guard valid(leaf) else { return nil }
        func extend(_ chain: [Certificate], _ depth: Int) -> [Certificate]? {
            let current = chain[chain.count - 1]
            if current.der == root.der { return chain }
            if depth > 10 { return nil }
            if signs(root, current), valid(root) { return chain + [root] }
            for candidate in intermediates where !chain.contains(where: { $0.der == candidate.der }) {
                guard valid(candidate), candidate.basicConstraintsValid && candidate.isCA || candidate.version == 1 else { continue }
                if signs(candidate, current), let found = extend(chain + [candidate], depth + 1) { return found }
            }
            return nil
        }
        return extend([leaf], 0)
    }
}

/// `crypto.x509.*` and `crypto.parse_private_keys`.
enum X509Builtins {
    static func certificates(_ input: String) throws -> [X509.Certificate] {
        do { return try X509.certificates(input) } catch let m as X509.Malformed { throw BuiltinError.builtin(m.message) }
    }

    static func base64OrText(_ text: String) throws -> String {
        if text.hasPrefix("-----BEGIN") { return text }
        switch EncodingBuiltins.decodeBase64(text) {
        case .success(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .failure(let error): throw error
        }
    }

    static func verified(_ input: String, now: Int64, dnsName: String? = nil) -> Value {
        let invalid = Value.array([.false, .array([])])
        guard let certs = try? X509.certificates(input), let chain = X509.verifyChain(certs, now: now) else { return invalid }
        if let dnsName, !dnsName.isEmpty {
            let names = chain[0].json.objectValue?["DNSNames"]?.arrayValue ?? []
            if !names.contains(.string(dnsName)) { return invalid }
        }
        return .array([.true, .array(chain.map(\.json))])
    }

    static let all: [Builtin] = [
        Builtin("crypto.x509.parse_certificates", [.string], .array(.object(.string, .any))) { a, _ in
            .array(try certificates(try a.string(0)).map(\.json))
        },
        Builtin("crypto.x509.parse_and_verify_certificates", [.string], .array(.any)) { a, ctx in
            verified(try a.string(0), now: ctx.nowNanoseconds / 1_000_000_000)
        },
        Builtin("crypto.x509.parse_and_verify_certificates_with_options", [.string, .object(.string, .any)], .array(.any)) { a, ctx in
            let options = try a.object(1)
            var now = ctx.nowNanoseconds / 1_000_000_000
            if case .number(let n)? = options["CurrentTime"], let ns = n.intValue { now = Int64(ns) / 1_000_000_000 }
            return verified(try a.string(0), now: now, dnsName: options["DNSName"]?.stringValue)
        },
        Builtin("crypto.x509.parse_certificate_request", [.string], .object(.string, .any)) { a, _ in
            let input = try a.string(0)
            var text = input
            var der: [UInt8]
            if !input.hasPrefix("-----BEGIN CERTIFICATE REQUEST-----") {
                switch EncodingBuiltins.decodeBase64(input) {
                case .success(let bytes): der = bytes
                case .failure(let error): throw error
                }
                text = String(decoding: der, as: UTF8.self)
            } else {
                der = Array(input.utf8)
            }
            if let block = JWT.pemBlock(text) {
                guard block.type == "CERTIFICATE REQUEST" else { throw BuiltinError.builtin("invalid PEM-encoded certificate signing request") }
                der = block.der
            }
            do { return try X509.certificateRequest(der) } catch let m as X509.Malformed { throw BuiltinError.builtin(m.message) }
        },
        Builtin("crypto.x509.parse_keypair", [.string, .string], .object(.string, .any)) { a, _ in
            let certText = try base64OrText(try a.string(0))
            let keyText = try base64OrText(try a.string(1))
            var certDER: [[UInt8]] = X509.pemBlocks(certText).filter { $0.0 == "CERTIFICATE" }.map(\.1)
            if certDER.isEmpty && !certText.hasPrefix("-----BEGIN") { certDER = [Array(certText.utf8)] }
            guard !certDER.isEmpty else { throw BuiltinError.builtin("tls: failed to find any PEM data in certificate input") }
            guard let keyBlock = X509.pemBlocks(keyText).first(where: { $0.0.hasSuffix("PRIVATE KEY") }) else {
                throw BuiltinError.builtin("tls: failed to find any PEM data in key input")
            }
            guard let key = X509.privateKey(type: keyBlock.0, der: keyBlock.1) else {
                throw BuiltinError.builtin("tls: failed to parse private key")
            }
            let leaf: X509.Certificate
            do { leaf = try X509.certificate(X509.Node.read(certDER[0], at: 0) ?? { throw X509.Malformed() }()) } catch {
                throw BuiltinError.builtin("x509: malformed certificate")
            }
            if let pub = leaf.json.objectValue?["PublicKey"]?.objectValue, let priv = key.objectValue,
               let n = pub["N"], let pn = priv["N"], n != pn {
                throw BuiltinError.builtin("tls: private key does not match public key")
            }
            return .object(ObjectValue([
                "Certificate": .array(certDER.map(X509.base64)), "PrivateKey": key, "Leaf": leaf.json, "OCSPStaple": .null,
                "SignedCertificateTimestamps": .null, "SupportedSignatureAlgorithms": .null,
            ]))
        },
        Builtin("crypto.x509.parse_rsa_private_key", [.string], .object(.string, .any)) { a, _ in
            var text = try a.string(0)
            if text.isEmpty { throw BuiltinError.builtin("input PEM data was empty") }
            if case .success(let bytes) = EncodingBuiltins.decodeBase64(text) { text = String(decoding: bytes, as: UTF8.self) }
            for (type, der) in X509.pemBlocks(text) {
                if let jwk = X509.rsaJWK(type: type, der: der) { return jwk }
            }
            return .null
        },
        Builtin("crypto.parse_private_keys", [.string], .array(.object(.string, .any))) { a, _ in
            var text = try a.string(0)
            if text.isEmpty { return .null }
            if case .success(let bytes) = EncodingBuiltins.decodeBase64(text) { text = String(decoding: bytes, as: UTF8.self) }
            var keys: [Value] = []
            for (type, der) in X509.pemBlocks(text) {
                if let key = X509.privateKey(type: type, der: der) { keys.append(key) }
            }
            return .array(keys)
        },
    ]
}
