import Rego
import Testing

@Suite struct ValueTests {
    @Test func crossTypeOrder() {
        let ordered: [Value] = [.null, false, true, 1, 2.5, "a", "b", [1], ["x": 1], .set(SetValue([1]))]
        for i in 0..<ordered.count - 1 {
            #expect(Value.compare(ordered[i], ordered[i + 1]) < 0, "\(ordered[i]) < \(ordered[i + 1])")
        }
    }

    @Test func bigNumbersStayExact() throws {
        let text = "{\"n\":123456789012345678901234567890,\"f\":1.5,\"e\":1e3}"
        let v = try JSON.parse(text)
        #expect(JSON.serialize(v) == "{\"e\":1000,\"f\":1.5,\"n\":123456789012345678901234567890}")
    }

    @Test func integerArithmeticPromotes() {
        let big = Number.int(Int.max) + .int(1)
        #expect(big.description == "9223372036854775808")
        #expect(Number.divide(.int(3), .int(2)) == .float(1.5))
        #expect(Number.divide(.int(4), .int(2)) == .int(2))
        #expect(Number.divide(.int(1), .int(0)) == nil)
    }

    @Test func setsAreSortedAndUnique() {
        let s = SetValue([3, 1, 2, 1])
        #expect(s.elements == [1, 2, 3])
        #expect(JSON.serialize(.set(s)) == "[1,2,3]")
    }

    @Test func invalidJSONNamesOffset() {
        #expect(throws: JSON.SyntaxError.self) { try JSON.parse("{\"a\": }") }
    }
}
