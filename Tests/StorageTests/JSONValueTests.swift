import Foundation
import Storage
import Testing

@Suite struct JSONValueSerializationTests {
    @Test func escapesQuotesBackslashesAndControlCharacters() throws {
        let value: JSONValue = .string("a\"b\\c\nd\re\tf\u{01}g\u{1F}h")
        #expect(value.serialized() == #""a\"b\\c\nd\re\tf\u0001g\u001fh""#)
    }

    @Test func copiesNonASCIITextAsUTF8() {
        let value: JSONValue = .string("naïve café — 東京 🚀")
        #expect(value.serialized() == "\"naïve café — 東京 🚀\"")
    }

    @Test func sortsObjectKeysAndWritesEveryKind() {
        let value: JSONValue = .object([
            "z": .array([.integer(-3), .number(2.5), .number(4), .bool(true), .null]),
            "a": .object(["k\"ey": .string("")]),
        ])
        #expect(value.serialized() == #"{"a":{"k\"ey":""},"z":[-3,2.5,4,true,null]}"#)
    }

    @Test func serializedTextParsesBackToTheSameValue() throws {
        let value: JSONValue = .object([
            "text": .string("line one\nline \"two\"\\ \u{7F} é"),
            "list": .array([.integer(1), .string("\u{0}")]),
        ])
        #expect(try JSONValue.parse(value.serialized()) == value)
    }
}
