import Foundation

/// Checks of the ids people choose (tenants, policies).
public enum Identifiers {
    /// Whether `id` is 1–64 characters of `a-z`, `0-9`, `-`, `_`, starting with a letter or digit.
    public static func isValid(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= 64 else { return false }
        for (index, byte) in id.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): continue
            case UInt8(ascii: "-"), UInt8(ascii: "_") where index > 0: continue
            default: return false
            }
        }
        return true
    }

    /// Milliseconds since 1970 of `date`.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// The date of `milliseconds` since 1970.
    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
