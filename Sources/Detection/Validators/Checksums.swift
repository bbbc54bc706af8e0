/// Check-digit and structure validators for identifiers. Each takes the
/// identifier's significant characters (digits, or letters and digits) as bytes.
public enum Validators {
    /// Luhn (mod 10) over ASCII digits.
    public static func luhn<C: Collection>(_ digits: C) -> Bool where C.Element == UInt8 {
        var sum = 0
        var double = false
        for b in digits.reversed() {
            guard Bytes.isDigit(b) else { return false }
            var d = Bytes.digitValue(b)
            if double { d *= 2; if d > 9 { d -= 9 } }
            sum += d
            double.toggle()
        }
        return sum % 10 == 0
    }

    /// Card number: 13–19 digits, a known issuer prefix, and Luhn.
    public static func creditCard(_ digits: [UInt8]) -> Bool {
        let n = digits.count
        guard n >= 13 && n <= 19, digits.allSatisfy(Bytes.isDigit) else { return false }
        func prefix(_ k: Int) -> Int { digits.prefix(k).reduce(0) { $0 * 10 + Bytes.digitValue($1) } }
        let p1 = prefix(1), p2 = prefix(2), p3 = prefix(3), p4 = prefix(4), p6 = prefix(6)
        var issuer = false
        if p1 == 4 && (n == 13 || n == 16 || n == 19) { issuer = true }                        // Visa
        else if (51...55).contains(p2) && n == 16 { issuer = true }                           // Mastercard
        else if (2221...2720).contains(p4) && n == 16 { issuer = true }                       // Mastercard 2-series
        else if (p2 == 34 || p2 == 37) && n == 15 { issuer = true }                           // Amex
        else if (p4 == 6011 || p2 == 65 || (644...649).contains(p3) || (622126...622925).contains(p6)) && n >= 16 { issuer = true } // Discover
        else if (3528...3589).contains(p4) && n >= 16 { issuer = true }                       // JCB
        else if ((300...305).contains(p3) || p2 == 36 || p2 == 38 || p2 == 39 || p4 == 3095) && n >= 14 { issuer = true } // Diners
        else if p2 == 62 && n >= 16 { issuer = true }                                          // UnionPay
        else if (p2 == 50 || (56...58).contains(p2) || p2 == 63 || p2 == 67) && n >= 12 { issuer = true } // Maestro
        guard issuer else { return false }
        return luhn(digits)
    }

    /// US SSN area/group/serial rules on nine digits (ITIN area 9xx excluded).
    public static func ssn(_ d: [UInt8]) -> Bool {
        guard d.count == 9, d.allSatisfy(Bytes.isDigit) else { return false }
        let area = d[0..<3].reduce(0) { $0 * 10 + Bytes.digitValue($1) }
        let group = d[3..<5].reduce(0) { $0 * 10 + Bytes.digitValue($1) }
        let serial = d[5..<9].reduce(0) { $0 * 10 + Bytes.digitValue($1) }
        if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 { return false }
        // Advertising and well-known invalid numbers.
        if area == 987 && group == 65 { return false }
        if d == Array("078051120".utf8) || d == Array("219099999".utf8) || d == Array("123456789".utf8) { return false }
        if Set(d).count == 1 { return false }
        return true
    }

    /// US ITIN: 9xx-[50–65, 70–88, 90–92, 94–99]-xxxx.
    public static func itin(_ d: [UInt8]) -> Bool {
        guard d.count == 9, d.allSatisfy(Bytes.isDigit), d[0] == UInt8(ascii: "9") else { return false }
        let group = Bytes.digitValue(d[3]) * 10 + Bytes.digitValue(d[4])
        return (50...65).contains(group) || (70...88).contains(group) || (90...92).contains(group) || (94...99).contains(group)
    }

    /// ABA routing number: nine digits, weights 3-7-1, valid Federal Reserve prefix.
    public static func abaRouting(_ d: [UInt8]) -> Bool {
        guard d.count == 9, d.allSatisfy(Bytes.isDigit) else { return false }
        let v = d.map(Bytes.digitValue)
        let prefix = v[0] * 10 + v[1]
        guard (0...12).contains(prefix) || (21...32).contains(prefix) || (61...72).contains(prefix) || prefix == 80 else { return false }
        let sum = 3 * (v[0] + v[3] + v[6]) + 7 * (v[1] + v[4] + v[7]) + (v[2] + v[5] + v[8])
        return sum % 10 == 0 && Set(v).count > 1
    }

    /// National Provider Identifier: ten digits, Luhn over "80840" + the digits.
    public static func npi(_ d: [UInt8]) -> Bool {
        guard d.count == 10, d.allSatisfy(Bytes.isDigit), d[0] == UInt8(ascii: "1") || d[0] == UInt8(ascii: "2") else { return false }
        return luhn(Array("80840".utf8) + d)
    }

    /// DEA registration number: two letters, seven digits, DEA check digit.
    public static func dea(_ s: [UInt8]) -> Bool {
        guard s.count == 9, Bytes.isUpper(s[0]), Bytes.isUpper(s[1]) || s[1] == UInt8(ascii: "9"),
              s[2...].allSatisfy(Bytes.isDigit) else { return false }
        guard "ABCDEFGHJKLMPRSTUX".utf8.contains(s[0]) else { return false }
        let v = s[2...].map(Bytes.digitValue)
        let sum = (v[0] + v[2] + v[4]) + 2 * (v[1] + v[3] + v[5])
        return sum % 10 == v[6]
    }

    /// UK NHS number: ten digits, mod 11 check digit.
    public static func nhs(_ d: [UInt8]) -> Bool {
        guard d.count == 10, d.allSatisfy(Bytes.isDigit) else { return false }
        var sum = 0
        for i in 0..<9 { sum += Bytes.digitValue(d[i]) * (10 - i) }
        var check = 11 - sum % 11
        if check == 11 { check = 0 }
        if check == 10 { return false }
        return check == Bytes.digitValue(d[9]) && Set(d).count > 1
    }

    /// UK National Insurance number: prefix rules, six digits, suffix A–D.
    public static func nino(_ s: [UInt8]) -> Bool {
        guard s.count == 9, Bytes.isUpper(s[0]), Bytes.isUpper(s[1]), s[2..<8].allSatisfy(Bytes.isDigit),
              "ABCD".utf8.contains(s[8]) else { return false }
        let bad1 = "DFIQUV".utf8, bad2 = "DFIQUVO".utf8
        if bad1.contains(s[0]) || bad2.contains(s[1]) { return false }
        let pair = String(decoding: s[0..<2], as: UTF8.self)
        return !["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"].contains(pair)
    }

    /// Expected IBAN length per country (ISO 13616 registry).
    static let ibanLengths: [String: Int] = [
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
        "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
        "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
        "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
        "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
        "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
        "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
        "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    ]

    /// IBAN: country length and ISO 7064 mod 97-10, over the compact form (no spaces).
    public static func iban(_ s: [UInt8]) -> Bool {
        guard s.count >= 15, s.count <= 34, Bytes.isUpper(s[0]), Bytes.isUpper(s[1]),
              Bytes.isDigit(s[2]), Bytes.isDigit(s[3]) else { return false }
        let country = String(decoding: s[0..<2], as: UTF8.self)
        guard let expected = ibanLengths[country], expected == s.count else { return false }
        var rem = 0
        for b in s[4...] + s[0..<4] {
            if Bytes.isDigit(b) { rem = (rem * 10 + Bytes.digitValue(b)) % 97 }
            else if Bytes.isUpper(b) { rem = (rem * 100 + Int(b - 0x41 + 10)) % 97 }
            else { return false }
        }
        return rem == 1
    }

    static let base58Alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    static let base58Index: [Int8] = {
        var t = [Int8](repeating: -1, count: 128)
        for (i, c) in base58Alphabet.enumerated() { t[Int(c)] = Int8(i) }
        return t
    }()

    /// Bitcoin legacy address: Base58Check with version 0x00 or 0x05 and a valid checksum.
    public static func base58Check(_ s: [UInt8]) -> Bool {
        guard s.count >= 26, s.count <= 35 else { return false }
        var bytes = [UInt8](repeating: 0, count: 25)
        for c in s {
            guard c < 128, base58Index[Int(c)] >= 0 else { return false }
            var carry = Int(base58Index[Int(c)])
            for j in stride(from: 24, through: 0, by: -1) {
                carry += 58 * Int(bytes[j])
                bytes[j] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            if carry != 0 { return false }
        }
        guard bytes[0] == 0x00 || bytes[0] == 0x05 else { return false }
        let check = SHA256.hash(SHA256.hash(Array(bytes[0..<21])))
        return Array(check[0..<4]) == Array(bytes[21..<25])
    }

    /// Bech32 / Bech32m segwit address (`bc1…`): character set and checksum.
    public static func bech32(_ s: [UInt8]) -> Bool {
        let charset = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l".utf8)
        let lower = s.map(Bytes.lower)
        guard lower.count >= 14, lower.count <= 90, let sep = lower.lastIndex(of: UInt8(ascii: "1")), sep >= 1, lower.count - sep >= 7 else { return false }
        let hrp = lower[..<sep]
        var values: [UInt32] = []
        for c in lower[(sep + 1)...] {
            guard let v = charset.firstIndex(of: c) else { return false }
            values.append(UInt32(v))
        }
        func polymod(_ vs: [UInt32]) -> UInt32 {
            let gen: [UInt32] = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
            var chk: UInt32 = 1
            for v in vs {
                let b = chk >> 25
                chk = ((chk & 0x1ffffff) << 5) ^ v
                for i in 0..<5 where (b >> UInt32(i)) & 1 == 1 { chk ^= gen[i] }
            }
            return chk
        }
        var expanded = hrp.map { UInt32($0 >> 5) }
        expanded.append(0)
        expanded += hrp.map { UInt32($0 & 31) }
        let pm = polymod(expanded + values)
        return pm == 1 || pm == 0x2bc830a3
    }
}
