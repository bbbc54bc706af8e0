import Testing
import TestSupport

@Suite struct DetectionSharedDataTests {
    @Test func sharedDirectoryIsPresent() throws {
        let dir = try SharedFixtures.directory()
        #expect(!dir.path.isEmpty)
    }
}
