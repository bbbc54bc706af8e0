import Testing
@testable import Detection

/// Cost must grow linearly with input size: the scanner's step count for 2n bytes of a
/// pathological input stays within a small factor of twice the count for n bytes.
@Suite struct LinearityTests {
    static let detector = try! Detector(configuration: .init(maxInputBytes: 4 << 20, injectionEnabled: false))

    static let patterns: [String] = [
        "1", "a", "1 ", "1-", "((((", "[{", "@", "a@", "1.", "1.1.", "::", "a:", "A1 ", "John ", "key=", "=a",
        "4111 ", "-----BEGIN PRIVATE KEY-----\n", "ey", "\\n", "Mr. ", "123 Main ", "+1 ", "x", "/", "AKIA",
    ]

    func work(_ unit: String, bytes: Int) throws -> Int {
        let text = String(repeating: unit, count: max(1, bytes / unit.utf8.count))
        var steps = 0
        _ = try Self.detector.findSensitiveData(text, work: &steps)
        return steps
    }

    @Test(arguments: patterns)
    func stepsGrowLinearly(unit: String) throws {
        let n = 16 * 1024
        let small = try work(unit, bytes: n)
        let large = try work(unit, bytes: 2 * n)
        #expect(small > 0)
        #expect(Double(large) <= 2.2 * Double(small) + 64, "\(unit.debugDescription): \(small) → \(large)")
        // Work per byte is bounded by a constant.
        #expect(large <= 64 * 2 * n, "\(unit.debugDescription): \(large) steps for \(2 * n) bytes")
    }
}
