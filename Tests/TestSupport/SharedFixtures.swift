import Foundation

/// Locates the shared data (`../shared` beside the checkout) that data-driven suites read.
///
/// `ASTRAL_SHARED_DIR` overrides the location. A missing directory is a test
/// failure, never a skip: CI must not pass without the vectors.
public enum SharedFixtures {
    public struct Missing: Error, CustomStringConvertible {
        public var path: String
        public var description: String {
            "shared test data not found at \(path) (set ASTRAL_SHARED_DIR)"
        }
    }

    /// The root of the package checkout.
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // TestSupport
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
    }

    /// The shared directory, or a thrown `Missing` error.
    public static func directory() throws -> URL {
        let url: URL
        if let env = ProcessInfo.processInfo.environment["ASTRAL_SHARED_DIR"], !env.isEmpty {
            url = URL(fileURLWithPath: env)
        } else {
            url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Missing(path: url.path)
        }
        return url
    }

    /// A file under the shared directory, which must exist.
    public static func file(_ relativePath: String) throws -> URL {
        let url = try directory().appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(path: url.path) }
        return url
    }
}
