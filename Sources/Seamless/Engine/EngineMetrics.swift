import Foundation

/// Counters of what a node's engine did, for `/metrics` (Prometheus text format). Only codes and counts:
/// never ids of subjects or records.
public final class EngineMetrics: Sendable {
    private let counters = Counters()

    /// Creates empty counters.
    public init() {}

    func granted(records: Int) {
        counters.add("seamless_requests_total", ["outcome": "granted"])
        counters.add("seamless_records_disclosed_total", [:], records)
    }

    func denied(_ code: String) {
        counters.add("seamless_requests_total", ["outcome": "denied"])
        counters.add("seamless_denials_total", ["code": code])
    }

    func refused(_ code: String) {
        counters.add("seamless_requests_total", ["outcome": "refused"])
        counters.add("seamless_refusals_total", ["code": code])
    }

    func received(records: Int) {
        counters.add("seamless_receipts_total", [:])
        counters.add("seamless_records_received_total", [:], records)
    }

    func peerFailed(_ peer: String, _ code: String) {
        counters.add("seamless_peer_failures_total", ["peer": peer, "code": code])
    }

    func purged(requests: Int) {
        counters.add("seamless_purges_total", [:], requests)
    }

    /// The value of one counter (0 if never counted).
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Int {
        counters.value(name, labels)
    }

    /// Every counter in the Prometheus text exposition format, followed by `gauges` (name → value).
    public func prometheusText(gauges: [(name: String, help: String, value: Int)] = []) -> String {
        var text = ""
        let help = [
            "seamless_requests_total": "Requests answered as a provider, by outcome.",
            "seamless_denials_total": "Requests denied by policy, by denial code.",
            "seamless_refusals_total": "Requests refused before a decision, by code.",
            "seamless_records_disclosed_total": "Records disclosed to peers.",
            "seamless_receipts_total": "Answers received and logged as a consumer.",
            "seamless_records_received_total": "Records received from peers.",
            "seamless_purges_total": "Received requests' records purged.",
            "seamless_peer_failures_total": "Failed rounds with a peer (catalog, witness) or a subscription, by code.",
        ]
        for (name, series) in counters.snapshot() {
            text += "# HELP \(name) \(help[name] ?? name)\n# TYPE \(name) counter\n"
            for (labels, value) in series { text += "\(name)\(labels) \(value)\n" }
        }
        for gauge in gauges {
            text += "# HELP \(gauge.name) \(gauge.help)\n# TYPE \(gauge.name) gauge\n\(gauge.name) \(gauge.value)\n"
        }
        return text
    }

    private final class Counters: @unchecked Sendable {
        private let lock = NSLock()
        /// Counter name → labels → value. Labels are rendered only for `/metrics`, not on every count.
        private var values: [String: [[String: String]: Int]] = [:]

        func add(_ name: String, _ labels: [String: String], _ amount: Int = 1) {
            lock.withLock { values[name, default: [:]][labels, default: 0] += amount }
        }

        func value(_ name: String, _ labels: [String: String]) -> Int {
            lock.withLock { values[name]?[labels] ?? 0 }
        }

        func snapshot() -> [(String, [(String, Int)])] {
            let values = lock.withLock { self.values }
            return values.sorted { $0.key < $1.key }.map { name, series in
                (name, series.map { (Self.render($0.key), $0.value) }.sorted { $0.0 < $1.0 })
            }
        }

        static func render(_ labels: [String: String]) -> String {
            guard !labels.isEmpty else { return "" }
            let pairs = labels.sorted { $0.key < $1.key }.map { key, value in
                "\(key)=\"\(value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\""
            }
            return "{" + pairs.joined(separator: ",") + "}"
        }
    }
}
