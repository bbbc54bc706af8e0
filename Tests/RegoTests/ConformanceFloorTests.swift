import Foundation
import Rego
import Testing
import TestSupport

/// Runs the shared OPA conformance cases and fails if fewer pass than the recorded floor.
@Suite struct ConformanceFloorTests {
    @Test func sharedCasesStayAboveFloor() throws {
        let dir = try SharedFixtures.file("rego-cases")
        let floorURL = SharedFixtures.packageRoot.appendingPathComponent("Tests/RegoTests/conformance-floor.txt")
        let floorText = try String(contentsOf: floorURL, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let floor = try #require(Int(floorText))
        let fm = FileManager.default
        var passed = 0, total = 0
        for folder in try fm.contentsOfDirectory(atPath: dir.path).sorted() {
            let sub = dir.appendingPathComponent(folder)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: sub.path, isDirectory: &isDir), isDir.boolValue else { continue }
            for file in try fm.contentsOfDirectory(atPath: sub.path).sorted() where file.hasSuffix(".yaml") {
                let text = try String(contentsOf: sub.appendingPathComponent(file), encoding: .utf8)
                for c in try Conformance.load(yaml: text) {
                    total += 1
                    if Conformance.judge(c, Conformance.run(c)).passed { passed += 1 }
                }
            }
        }
        #expect(total > 1000)
        #expect(passed >= floor, "conformance dropped: \(passed) passed of \(total), floor \(floor)")
    }
}
