/// The times of one requester's requests for one resource and purpose, oldest first; those that fall
/// out of the frequency period are dropped as the log moves on (its times do not go back).
/// Counted the same way by a provider deciding and by an auditor replaying (`Docs/POLICY.md` §1).
struct RequestWindow {
    /// What a window counts: one requester's requests for one resource and one requested purpose code.
    static func key(_ request: AccessRequest) -> String {
        "\(request.requester) \(request.resource) \(request.purpose)"
    }

    private var times: [Timestamp] = []
    private var start = 0

    /// How many earlier requests are within `period` seconds before `at`; then records `at`.
    mutating func count(before at: Timestamp, within period: Int64) -> Int {
        let since = at.adding(seconds: -period)
        while start < times.count, times[start] <= since { start += 1 }
        if start > 1024, start * 2 > times.count {
            times.removeFirst(start)
            start = 0
        }
        defer { times.append(at) }
        return times.count - start
    }

    /// Removes the latest request recorded at `at` (one that was counted but not logged).
    mutating func remove(_ at: Timestamp) {
        guard let index = times[start...].lastIndex(of: at) else { return }
        times.remove(at: index)
    }

    /// Records an earlier request at `at` without counting.
    mutating func note(_ at: Timestamp) {
        times.append(at)
    }
}
