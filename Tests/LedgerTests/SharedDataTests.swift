import Testing
import TestSupport

@Suite struct LedgerSharedDataTests {
    @Test func sharedDirectoryIsPresent() throws {
        let dir = try SharedFixtures.directory()
        #expect(!dir.path.isEmpty)
    }
}
