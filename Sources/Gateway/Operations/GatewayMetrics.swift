import Enforcement
import Foundation
import Synchronization

/// Prometheus counters and histograms of the gateway, rendered in the text exposition format.
public final class GatewayMetrics: Sendable {
    struct Histogram {
        static let bounds: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
        var counts = [Int](repeating: 0, count: bounds.count)
        var sum = 0.0
        var count = 0

        mutating func observe(_ value: Double) {
            for (index, bound) in Self.bounds.enumerated() where value <= bound { counts[index] += 1 }
            sum += value
            count += 1
        }
    }

    struct State {
        var requests: [[String]: Int] = [:]  // route, method, status
        var requestSeconds: [String: Histogram] = [:]  // route
        var decisions: [String: Int] = [:]
        var decisionSeconds: [String: Histogram] = [:]
        var detectorSeconds = Histogram()
        var policySeconds = Histogram()
        var failModes: [[String]: Int] = [:]  // mode, cause
    }

    private let state = Mutex(State())

    /// Creates an empty registry.
    public init() {}

    /// Counts one HTTP request.
    public func recordRequest(route: String, method: String, status: Int, seconds: Double) {
        state.withLock { state in
            state.requests[[route, method, String(status)], default: 0] += 1
            state.requestSeconds[route, default: Histogram()].observe(seconds)
        }
    }

    /// Counts one decision.
    public func recordDecision(_ outcome: EnforcementOutcome, observation: Enforcer.Observation?) {
        state.withLock { state in
            state.decisions[outcome.decision.rawValue, default: 0] += 1
            state.decisionSeconds[outcome.decision.rawValue, default: Histogram()].observe(Double(outcome.latencyMicroseconds) / 1e6)
            if let failMode = outcome.failMode {
                state.failModes[[failMode.rawValue, outcome.failure?.rawValue ?? "unknown"], default: 0] += 1
            }
        }
    }

    /// Records the detector and policy time of a decision.
    public func recordStages(_ observation: Enforcer.Observation) {
        state.withLock { state in
            state.detectorSeconds.observe(observation.scanSeconds)
            state.policySeconds.observe(observation.policySeconds)
        }
    }

    /// The exposition text; `ledgerLeaves` is the current number of ledger leaves (all tenants).
    public func render(ledgerLeaves: Int) -> String {
        let snapshot = state.withLock { $0 }
        var out = ""
        out += "# HELP astral_http_requests_total HTTP requests by route, method and status.\n"
        out += "# TYPE astral_http_requests_total counter\n"
        for (labels, value) in snapshot.requests.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            out += "astral_http_requests_total{route=\"\(escape(labels[0]))\",method=\"\(labels[1])\",status=\"\(labels[2])\"} \(value)\n"
        }
        renderHistograms(&out, name: "astral_http_request_duration_seconds", help: "HTTP request latency by route.", label: "route", snapshot.requestSeconds)
        out += "# HELP astral_decisions_total Decisions by action.\n# TYPE astral_decisions_total counter\n"
        for (decision, value) in snapshot.decisions.sorted(by: { $0.key < $1.key }) {
            out += "astral_decisions_total{decision=\"\(decision)\"} \(value)\n"
        }
        renderHistograms(&out, name: "astral_decision_duration_seconds", help: "Time to decide (scan and policy), by decision.", label: "decision", snapshot.decisionSeconds)
        renderHistograms(&out, name: "astral_detector_duration_seconds", help: "Detector time per decision.", label: nil, ["": snapshot.detectorSeconds])
        renderHistograms(&out, name: "astral_policy_duration_seconds", help: "Policy evaluation time per decision.", label: nil, ["": snapshot.policySeconds])
        out += "# HELP astral_fail_mode_total Decisions made by the fail-mode instead of the policy.\n# TYPE astral_fail_mode_total counter\n"
        for (labels, value) in snapshot.failModes.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            out += "astral_fail_mode_total{mode=\"\(labels[0])\",cause=\"\(labels[1])\"} \(value)\n"
        }
        out += "# HELP astral_ledger_leaves Leaves in the evidence ledger, all tenants.\n# TYPE astral_ledger_leaves gauge\n"
        out += "astral_ledger_leaves \(ledgerLeaves)\n"
        return out
    }

    private func renderHistograms(_ out: inout String, name: String, help: String, label: String?, _ histograms: [String: Histogram]) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        for (key, histogram) in histograms.sorted(by: { $0.key < $1.key }) {
            let prefix = label.map { "\($0)=\"\(escape(key))\"," } ?? ""
            let bare = label.map { "{\($0)=\"\(escape(key))\"}" } ?? ""
            for (index, bound) in Histogram.bounds.enumerated() {
                out += "\(name)_bucket{\(prefix)le=\"\(bound)\"} \(histogram.counts[index])\n"
            }
            out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(histogram.count)\n"
            out += "\(name)_sum\(bare) \(histogram.sum)\n"
            out += "\(name)_count\(bare) \(histogram.count)\n"
        }
    }

    private func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
