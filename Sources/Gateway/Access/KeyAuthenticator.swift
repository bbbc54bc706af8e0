import Enforcement
import Foundation
import Storage
import Synchronization

/// Resolves presented API keys to their records, keeping recent answers for a
/// short time so the hot path does not read the database on every request.
public final class KeyAuthenticator: Sendable {
    private struct Entry {
        var record: APIKeyRecord
        var expires: ContinuousClock.Instant
    }

    private let governance: GovernanceService
    private let ttl: Duration
    private let cache = Mutex<[String: Entry]>([:])

    /// Creates an authenticator trusting a lookup for `ttlSeconds`.
    public init(governance: GovernanceService, ttlSeconds: Double) {
        self.governance = governance
        self.ttl = .milliseconds(Int64(ttlSeconds * 1000))
    }

    /// The live key for `rawKey`, or `nil`.
    public func authenticate(rawKey: String) async throws -> APIKeyRecord? {
        let hash = APIKeyMaterial.hash(of: rawKey)
        let now = ContinuousClock.now
        if let entry = cache.withLock({ $0[hash] }), entry.expires > now { return entry.record }
        guard let record = try await governance.authenticate(rawKey: rawKey) else {
            cache.withLock { _ = $0.removeValue(forKey: hash) }
            return nil
        }
        cache.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[hash] = Entry(record: record, expires: now + ttl)
        }
        return record
    }

    /// Forgets a key at once (after it is revoked through the API).
    public func forget(keyID: String) {
        cache.withLock { entries in entries = entries.filter { $0.value.record.id != keyID } }
    }
}

/// A token bucket per API key.
public final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let rate: Double
    private let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])

    /// Creates a limiter refilling `rate` tokens per second up to `burst`.
    public init(rate: Double, burst: Double) {
        self.rate = rate
        self.burst = max(1, burst)
    }

    /// Takes a token for `key`; returns `nil` when allowed, or the seconds to wait.
    public func acquire(key: String) -> Double? {
        let now = ContinuousClock.now
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + seconds * rate)
            bucket.updated = now
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                buckets[key] = bucket
                return nil
            }
            buckets[key] = bucket
            return rate > 0 ? (1 - bucket.tokens) / rate : 60
        }
    }
}
