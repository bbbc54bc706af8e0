/// Times repeated evaluations of a prepared query.
public enum Benchmark {
    /// Per-evaluation timing summary.
    public struct Stats: Sendable {
        /// Median microseconds per evaluation.
        public var medianMicros: Double
        /// 99th percentile microseconds.
        public var p99Micros: Double
        /// Solutions the last evaluation produced.
        public var solutions: Int
        /// Heap allocations per timed evaluation, when an allocation counter was given.
        public var allocationsPerEvaluation: Double? = nil
    }

    /// Evaluates `iterations` times after a warm-up of a tenth as many; `allocationCounter`
    /// (the process's allocations so far) is read before and after the timed loop.
    public static func run(_ query: PreparedQuery, input: Value?, iterations: Int, allocationCounter: (() -> UInt64)? = nil) throws -> Stats {
        let clock = ContinuousClock()
        var solutions = 0
        for _ in 0..<max(10, iterations / 10) { solutions = try query.evaluate(input: input).count }
        var samples: [Double] = []
        samples.reserveCapacity(iterations)
        let allocationsBefore = allocationCounter?()
        for _ in 0..<iterations {
            let start = clock.now
            solutions = try query.evaluate(input: input).count
            let d = clock.now - start
            samples.append(Double(d.components.attoseconds) / 1e12 + Double(d.components.seconds) * 1e6)
        }
        var perEvaluation: Double? = nil
        if let allocationCounter, let allocationsBefore, iterations > 0 {
            perEvaluation = Double(allocationCounter() - allocationsBefore) / Double(iterations)
        }
        samples.sort()
        let median = samples.isEmpty ? 0 : samples[samples.count / 2]
        let p99 = samples.isEmpty ? 0 : samples[min(samples.count - 1, Int(Double(samples.count) * 0.99))]
        return Stats(medianMicros: (median * 100).rounded() / 100, p99Micros: (p99 * 100).rounded() / 100, solutions: solutions, allocationsPerEvaluation: perEvaluation)
    }
}
