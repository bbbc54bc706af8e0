/// A Semantic Versioning 2.0.0 version, parsed strictly (no `v` prefix), for `semver.*`.
public struct SemanticVersion: Sendable, Equatable, Comparable {
    /// MAJOR.MINOR.PATCH.
    public var major: UInt64, minor: UInt64, patch: UInt64
    /// Dot-separated pre-release identifiers.
    public var prerelease: [String]
    /// Build metadata (ignored in comparisons).
    public var build: [String]

    /// Parses `text`; nil when it is not a valid SemVer string.
    public init?(_ text: String) {
        var core = Substring(text)
        var buildPart: Substring? = nil
        var prePart: Substring? = nil
        if let plus = core.firstIndex(of: "+") {
            buildPart = core[core.index(after: plus)...]
            core = core[..<plus]
        }
        if let dash = core.firstIndex(of: "-") {
            prePart = core[core.index(after: dash)...]
            core = core[..<dash]
        }
        let numbers = core.split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 3 else { return nil }
        var values: [UInt64] = []
        for n in numbers {
            guard !n.isEmpty, n.allSatisfy({ $0.isASCII && $0.isNumber }), !(n.count > 1 && n.first == "0"),
                  let v = UInt64(n) else { return nil }
            values.append(v)
        }
        func identifiers(_ part: Substring?, numericRule: Bool) -> [String]? {
            guard let part else { return [] }
            let ids = part.split(separator: ".", omittingEmptySubsequences: false)
            for id in ids {
                guard !id.isEmpty, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { return nil }
                if numericRule && id.allSatisfy({ $0.isNumber }) && id.count > 1 && id.first == "0" { return nil }
            }
            return ids.map(String.init)
        }
        guard let pre = identifiers(prePart, numericRule: true), let build = identifiers(buildPart, numericRule: false) else {
            return nil
        }
        major = values[0]; minor = values[1]; patch = values[2]
        prerelease = pre
        self.build = build
    }

    /// SemVer precedence; build metadata does not count.
    public static func < (a: SemanticVersion, b: SemanticVersion) -> Bool {
        compare(a, b) < 0
    }

    /// SemVer equality ignores build metadata, like precedence.
    public static func == (a: SemanticVersion, b: SemanticVersion) -> Bool {
        compare(a, b) == 0
    }

    /// -1, 0 or 1 by SemVer precedence.
    public static func compare(_ a: SemanticVersion, _ b: SemanticVersion) -> Int {
        for (x, y) in [(a.major, b.major), (a.minor, b.minor), (a.patch, b.patch)] where x != y {
            return x < y ? -1 : 1
        }
        if a.prerelease.isEmpty && b.prerelease.isEmpty { return 0 }
        if a.prerelease.isEmpty { return 1 }
        if b.prerelease.isEmpty { return -1 }
        for (x, y) in zip(a.prerelease, b.prerelease) where x != y {
            let xn = UInt64(x), yn = UInt64(y)
            switch (xn, yn) {
            case let (.some(i), .some(j)): return i < j ? -1 : 1
            case (.some, .none): return -1
            case (.none, .some): return 1
            default: return x < y ? -1 : 1
            }
        }
        if a.prerelease.count == b.prerelease.count { return 0 }
        return a.prerelease.count < b.prerelease.count ? -1 : 1
    }
}
