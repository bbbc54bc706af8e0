import ArgumentParser
import Detection
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time of the calling thread, in seconds: on a shared machine this is the time the
/// scan itself took, without the time other processes held the core.
private func threadCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (not tests): print figures people can compare.",
        subcommands: [BenchScanCommand.self]
    )
}

struct BenchScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Single-core detector throughput (MB/s) and p50/p99 latency for 1 KB and 16 KB texts.",
        discussion: """
        Build with -c release. Every detector is on (PII, secrets, injection) unless --no-injection. \
        Each figure is given in wall-clock time and in the thread's CPU time (`cpu_` fields); on a \
        shared machine the CPU-time figures are the ones that measure the scanner.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Directory with the *.jsonl corpora whose texts are scanned.")
    var corpus: String

    @Option(name: .long, help: "Passes over the corpus for the throughput figure.")
    var passes: Int = 3

    @Option(name: .long, help: "Timed scans per latency size.")
    var iterations: Int = 2000

    @Flag(name: .long, help: "Measure sensitive-data scanning only (no injection layer).")
    var noInjection = false

    func validate() throws {
        guard passes > 0, iterations > 0 else { throw ValidationError("--passes and --iterations must be positive") }
    }

    func run() async throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus).filter { $0.hasSuffix(".jsonl") }.sorted()
        var texts: [String] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: (corpus as NSString).appendingPathComponent(file)) else { continue }
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let text = object["text"] as? String {
                    texts.append(text)
                }
            }
        }
        guard !texts.isEmpty else { throw CommandFailure("no texts found in \(corpus)") }
        let detector = try Detector(configuration: .init(injectionEnabled: !noInjection))
        let clock = ContinuousClock()
        // Warm-up.
        for text in texts.prefix(200) { _ = try detector.scan(text) }
        let totalBytes = texts.reduce(0) { $0 + $1.utf8.count }
        var findings = 0
        let cpuStart = threadCPUSeconds()
        let elapsed = try clock.measure {
            for _ in 0..<passes {
                for text in texts { findings += try detector.scan(text).findings.count }
            }
        }
        let cpuSeconds = threadCPUSeconds() - cpuStart
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let mbPerSecond = Double(totalBytes * passes) / seconds / 1_000_000
        let cpuMBPerSecond = Double(totalBytes * passes) / cpuSeconds / 1_000_000
        print(String(format: "{\"benchmark\": \"throughput\", \"texts\": %d, \"bytes\": %d, \"passes\": %d, \"seconds\": %.3f, \"mb_per_s\": %.1f, \"texts_per_s\": %.0f, \"cpu_seconds\": %.3f, \"cpu_mb_per_s\": %.1f, \"injection\": %@}",
                     texts.count, totalBytes, passes, seconds, mbPerSecond, Double(texts.count * passes) / seconds, cpuSeconds, cpuMBPerSecond, noInjection ? "false" : "true"))
        for size in [1024, 16 * 1024] {
            // Texts of the target size built from consecutive corpus texts (several distinct ones).
            var samples: [String] = []
            var index = 0
            while samples.count < 32 {
                var s = ""
                while s.utf8.count < size {
                    s += texts[index % texts.count] + "\n"
                    index += 1
                }
                var cut = s.utf8.prefix(size)
                while String(cut) == nil { cut = cut.dropLast() }
                samples.append(String(cut)!)
            }
            var durations: [Double] = []
            var cpuDurations: [Double] = []
            durations.reserveCapacity(iterations)
            cpuDurations.reserveCapacity(iterations)
            for k in 0..<iterations {
                let text = samples[k % samples.count]
                let cpuBefore = threadCPUSeconds()
                let d = try clock.measure { _ = try detector.scan(text) }
                cpuDurations.append((threadCPUSeconds() - cpuBefore) * 1e6)
                durations.append(Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12)
            }
            func percentile(_ values: [Double], _ q: Double) -> Double {
                let sorted = values.sorted()
                return sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))]
            }
            print(String(format: "{\"benchmark\": \"latency\", \"text_bytes\": %d, \"iterations\": %d, \"p50_us\": %.1f, \"p99_us\": %.1f, \"cpu_p50_us\": %.1f, \"cpu_p99_us\": %.1f}",
                         size, iterations, percentile(durations, 0.5), percentile(durations, 0.99), percentile(cpuDurations, 0.5), percentile(cpuDurations, 0.99)))
        }
    }
}
