import Foundation
import Ledger
import Testing

@Suite struct JCSTests {
    func canonical(_ text: String) throws -> String {
        String(decoding: try JCS.canonicalize(Array(text.utf8)), as: UTF8.self)
    }

    /// RFC 8785 §3.2.2 example input and output.
    @Test func rfcExample() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(try canonical(input) == expected)
    }

    /// RFC 8785 §3.2.3: members sort by UTF-16 code units, not by code points or UTF-8.
    @Test func keyOrderIsUTF16() throws {
        let input = #"""
            {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh",
             "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control",
             "\u00f6": "Latin Small Letter O With Diaeresis"}
            """#
        let out = try canonical(input)
        let order = ["\\r", "1", "\u{80}", "\u{f6}", "\u{20ac}", "\u{1F600}", "\u{fb33}"]
        var last = out.startIndex
        for key in order {
            let range = try #require(out.range(of: "\"\(key)\":", range: last..<out.endIndex), "\(key) out of order")
            last = range.upperBound
        }
        // Built-in-code values sort the same way.
        let value: JSONValue = .object(["\u{fb33}": 1, "\u{1F600}": 2, "a": 3])
        #expect(String(decoding: try JCS.canonicalize(value), as: UTF8.self) == "{\"a\":3,\"\u{1F600}\":2,\"\u{fb33}\":1}")
    }

    /// RFC 8785 Appendix B: IEEE 754 bit patterns and their ECMAScript serialisations.
    @Test(arguments: [
        (UInt64(0x0000_0000_0000_0000), "0"),
        (0x8000_0000_0000_0000, "0"),
        (0x0000_0000_0000_0001, "5e-324"),
        (0x8000_0000_0000_0001, "-5e-324"),
        (0x7fef_ffff_ffff_ffff, "1.7976931348623157e+308"),
        (0xffef_ffff_ffff_ffff, "-1.7976931348623157e+308"),
        (0x4340_0000_0000_0000, "9007199254740992"),
        (0xc340_0000_0000_0000, "-9007199254740992"),
        (0x4430_0000_0000_0000, "295147905179352830000"),
        (0x44b5_2d02_c7e1_4af5, "9.999999999999997e+22"),
        (0x44b5_2d02_c7e1_4af6, "1e+23"),
        (0x44b5_2d02_c7e1_4af7, "1.0000000000000001e+23"),
        (0x444b_1ae4_d6e2_ef4e, "999999999999999700000"),
        (0x444b_1ae4_d6e2_ef4f, "999999999999999900000"),
        (0x444b_1ae4_d6e2_ef50, "1e+21"),
        (0x3eb0_c6f7_a0b5_ed8c, "9.999999999999997e-7"),
        (0x3eb0_c6f7_a0b5_ed8d, "0.000001"),
        (0x41b3_de43_5555_5553, "333333333.3333332"),
        (0x41b3_de43_5555_5554, "333333333.33333325"),
        (0x41b3_de43_5555_5555, "333333333.3333333"),
        (0x41b3_de43_5555_5556, "333333333.3333334"),
        (0x41b3_de43_5555_5557, "333333333.33333343"),
        (0xbecb_f647_612f_3696, "-0.0000033333333333333333"),
        (0x4314_3ff3_c1cb_0959, "1424953923781206.2"),
    ])
    func numbers(bits: UInt64, expected: String) throws {
        let value = Double(bitPattern: bits)
        #expect(String(decoding: try JCS.canonicalize(.number(value)), as: UTF8.self) == expected)
        // Parsing the canonical text gives the same text back.
        #expect(try canonical(expected) == expected)
    }

    @Test func numberSpellings() throws {
        #expect(try canonical("[-0, 0.0, 1.0, 1e2, 1E+2, 100e-2, 0.1, 1e21, 1e-7, 123456789012345678]")
            == "[0,0,1,100,100,1,0.1,1e+21,1e-7,123456789012345680]")
    }

    @Test func stringsKeepLiteralUnicodeAndEscapeControls() throws {
        #expect(try canonical(#"["\u00e9\u2028\u007f", "\t\b\f\u0001", "\ud834\udd1e"]"#)
            == "[\"\u{e9}\u{2028}\u{7f}\",\"\\t\\b\\f\\u0001\",\"\u{1D11E}\"]")
    }

    @Test(arguments: [
        "", "{", "{\"a\":1,}", "[1 2]", "{\"a\":1,\"a\":2}", "\"\\ud800\"", "\"\\udc00x\"", "01", "1.", ".5", "1e",
        "+1", "NaN", "Infinity", "1e400", "\"a\nb\"", "tru", "{\"a\" 1}", "[1]x", "\"\\x\"", "\u{feff}{}",
    ])
    func rejectsInvalidJSON(text: String) {
        #expect(throws: LedgerError.self) { try JCS.canonicalize(Array(text.utf8)) }
    }

    @Test func rejectsInvalidUTF8() {
        for bytes: [UInt8] in [[0x22, 0xff, 0x22], [0x22, 0xc0, 0xaf, 0x22], [0x22, 0xed, 0xa0, 0x80, 0x22], [0x22, 0xe2, 0x82, 0x22]] {
            #expect(throws: LedgerError.self) { try JCS.canonicalize(bytes) }
        }
    }

    @Test func duplicateKeysDetectedEvenWhenEscapedDifferently() {
        #expect(throws: LedgerError.self) { try JCS.canonicalize(Array(#"{"a":1,"\u0061":2}"#.utf8)) }
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 2000) + String(repeating: "]", count: 2000)
        #expect(throws: LedgerError.self) { try JCS.canonicalize(Array(deep.utf8)) }
    }

    @Test func canonicalisationIsIdempotentOnRandomDocuments() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let value = randomValue(depth: 0, using: &generator)
            let once = try JCS.canonicalize(value)
            #expect(try JCS.canonicalize(once) == once)
            // Foundation reads our output as the same JSON.
            #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(once), options: [.fragmentsAllowed]) }
        }
    }

    func randomValue(depth: Int, using g: inout SystemRandomNumberGenerator) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &g) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &g))
        case 2: return .number(Double(bitPattern: UInt64.random(in: 0...0x7fef_ffff_ffff_ffff, using: &g)) * (Bool.random(using: &g) ? 1 : -1))
        case 3: return .string(String((0..<Int.random(in: 0..<6, using: &g)).map { _ in
            Character(Unicode.Scalar([0x22, 0x5c, 0x0a, 0x41, 0xe9, 0x20ac, 0x1F600, 0x01].randomElement(using: &g)!)!)
        }))
        case 4: return .array((0..<Int.random(in: 0..<4, using: &g)).map { _ in randomValue(depth: depth + 1, using: &g) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0..<4, using: &g) {
                members[["a", "b", "\u{e9}", "\u{1F600}", "\u{fb33}", "A"].randomElement(using: &g)!] = randomValue(depth: depth + 1, using: &g)
            }
            return .object(members)
        }
    }

    @Test func recordsMustBeObjectsWithinTheLimit() throws {
        #expect(throws: LedgerError.self) { try LedgerRecord(json: Array("[1]".utf8)) }
        #expect(throws: LedgerError.self) { try LedgerRecord(json: Array("{\"a\":\"0123456789\"}".utf8), maximumBytes: 10) }
        let record = try LedgerRecord(json: Array("{ \"b\": 2, \"a\": 1 }".utf8))
        #expect(String(decoding: record.canonicalJSON, as: UTF8.self) == "{\"a\":1,\"b\":2}")
        #expect(record.leafHash == Merkle.leafHash(Array("{\"a\":1,\"b\":2}".utf8)))
    }
}
